import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../api/kernel/fs/private-files.ts';
import type { Box } from '../detect/nms.ts';
import type { RawImage } from '../models/raw-image.ts';

export interface PassJpegs {
  crop: Buffer;
  scene: Buffer;
}

export interface PassImageOptions {
  quality: number;
  sceneMaxWidth: number;
  /** Context around the box, in box widths and heights (default a plate's: half a width, one height). */
  margin?: { x: number; y: number };
}

/** The plate with context around it (half a plate width each side, a plate height above and below), clamped to the frame. */
export function cropRegion(box: Box, width: number, height: number, margin = { x: 0.5, y: 1 }): { left: number; top: number; width: number; height: number } {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const left = Math.max(0, Math.floor(box.x1 - w * margin.x));
  const top = Math.max(0, Math.floor(box.y1 - h * margin.y));
  const right = Math.min(width, Math.ceil(box.x2 + w * margin.x));
  const bottom = Math.min(height, Math.ceil(box.y2 + h * margin.y));
  return { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

/**
 * JPEGs of one pass's best frame, encoded while that frame's buffer is still held (the ring reuses it
 * afterwards): the plate close-up and the scene, scaled down to sceneMaxWidth.
 */
export async function encodePassJpegs(frame: RawImage, plateBox: Box, o: PassImageOptions): Promise<PassJpegs> {
  const raw = { raw: { width: frame.width, height: frame.height, channels: frame.channels as 1 | 3 | 4 } };
  const input = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.width * frame.height * frame.channels);
  const [crop, scene] = await Promise.all([
    sharp(input, raw).extract(cropRegion(plateBox, frame.width, frame.height, o.margin)).jpeg({ quality: o.quality }).toBuffer(),
    sharp(input, raw).resize({ width: o.sceneMaxWidth, withoutEnlargement: true }).jpeg({ quality: o.quality }).toBuffer(),
  ]);
  return { crop, scene };
}

/** The UTC day (`YYYY-MM-DD`) whose folder holds a pass's pictures. */
export function passDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Relative paths under <dataDir>/images, by UTC day: `<yyyy-mm-dd>/<passId>-crop.jpg`. */
export function passImagePaths(passId: string, at: number): { crop: string; scene: string } {
  const day = passDay(at);
  return { crop: `${day}/${passId}-crop.jpg`, scene: `${day}/${passId}-scene.jpg` };
}

/** Writes both files (temp + rename, so a reader never sees half a JPEG; a replay overwrites identically). */
export async function writePassJpegs(imagesDir: string, passId: string, at: number, jpegs: PassJpegs): Promise<{ crop: string; scene: string }> {
  const paths = passImagePaths(passId, at);
  await ensurePrivateDir(imagesDir);
  await ensurePrivateDir(join(imagesDir, paths.crop, '..'));
  for (const [rel, bytes] of [[paths.crop, jpegs.crop], [paths.scene, jpegs.scene]] as const) {
    const full = join(imagesDir, rel);
    const temp = `${full}.${process.pid}.tmp`;
    await writeFile(temp, bytes, { mode: PRIVATE_FILE_MODE });
    await rename(temp, full);
  }
  return paths;
}
