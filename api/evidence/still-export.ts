import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import sharp from 'sharp';
import { DomainError } from '../kernel/errors/domain-error.ts';
import { PassPictures } from '../checkpoint/pass-pictures.ts';
import { runFfmpegOnce } from '../../ingest/ffmpeg/ffmpeg-run.ts';
import { recordedFrameArgs } from '../../ingest/ffmpeg/evidence-args.ts';
import type { RecordingIndex } from '../../recording/recording-index.ts';
import { frameIntervalMs, frameShownAt, scanTs } from '../../recording/ts-scan.ts';

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** An SVG band with the caption lines, as wide as the image, drawn over its top (sharp renders it with librsvg). */
function captionSvg(width: number, height: number, lines: string[]): Buffer {
  const size = Math.max(14, Math.round(height / 30));
  const lineHeight = Math.round(size * 1.35);
  const band = lineHeight * lines.length + size;
  const text = lines.map((line, i) => `<text x="${Math.round(size * 0.8)}" y="${Math.round(size * 0.6 + lineHeight * (i + 1) - size * 0.3)}">${escapeXml(line)}</text>`).join('');
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">`
    + `<rect x="0" y="0" width="${width}" height="${band}" fill="black" fill-opacity="0.55"/>`
    + `<g font-family="Noto Sans CJK SC, Noto Sans CJK, WenQuanYi Zen Hei, sans-serif" font-size="${size}" fill="white">${text}</g></svg>`);
}

/** The image with the caption drawn on (always re-encoded as JPEG), or as it is when `lines` is empty. */
export async function captionImage(image: Buffer, lines: string[]): Promise<Buffer> {
  if (lines.length === 0) return sharp(image).jpeg({ quality: 92 }).toBuffer();
  const meta = await sharp(image).metadata();
  if (!meta.width || !meta.height) throw new DomainError('EXPORT_IMAGE_INVALID', 'the source image has no size');
  return sharp(image).composite([{ input: captionSvg(meta.width, meta.height, lines), top: 0, left: 0 }]).jpeg({ quality: 92 }).toBuffer();
}

/** A JPEG of the recording at `at`: the frame on screen then, decoded from the segment playing then. */
export async function recordedFrame(index: RecordingIndex, recordingsRoot: string, cameraId: string, at: number, o: { ffmpegPath: string; timeoutMs: number }): Promise<Buffer> {
  const segment = (await index.segmentsBetween(cameraId, at, at + 1))[0];
  if (!segment) throw new DomainError('EXPORT_NOT_RECORDED', 'nothing is recorded on this camera at the chosen time');
  const root = resolve(recordingsRoot);
  const path = resolve(root, segment.path);
  if (!path.startsWith(root + sep) || !(await lstat(path).catch(() => undefined))?.isFile()) {
    await index.markState(segment.id, 'missing');
    throw new DomainError('EXPORT_NOT_RECORDED', 'the recording at the chosen time is no longer on disk');
  }
  const offsetMs = Math.max(0, at - segment.startedAt);
  const decode = async (seconds: number) => {
    const result = await runFfmpegOnce({
      name: 'ffmpeg:evidence:frame', args: recordedFrameArgs(path, Math.max(0, seconds)), ffmpegPath: o.ffmpegPath,
      timeoutMs: Math.min(o.timeoutMs, 30_000), maxStdoutBytes: 20_000_000, startErrorCode: 'EXPORT_FFMPEG_START',
    });
    if (result.code !== 0) throw new DomainError('EXPORT_FFMPEG_FAILED', 'ffmpeg could not decode the recorded frame', { details: { exit: result.code, stderr: result.stderr.slice(0, 5) } });
    return result.stdout.length > 0 ? result.stdout : undefined;
  };
  const shown = segment.format === 'mpegts' ? await shownFrameSeconds(path, offsetMs) : undefined;
  const exact = shown === undefined ? undefined : await decode(shown);
  if (exact) return exact;
  // Without the file's time stamps: ffmpeg keeps the first frame at or after the offset. The last frame starts
  // up to one frame interval before the segment's end, so an offset past it gets no frame: step back a little
  // (never more than 0.5 s) until one comes.
  for (const back of [0, 0.1, 0.25, 0.5]) {
    const frame = await decode(offsetMs / 1_000 - back);
    if (frame) return frame;
  }
  throw new DomainError('EXPORT_FFMPEG_FAILED', 'the recorded segment has no frame at the chosen time');
}

/**
 * Where to ask ffmpeg (which keeps the first frame at or after its offset) for the frame that is on screen at
 * `offsetMs`: the last frame starting at or before it, as a player and the officer's paused picture show it,
 * not the next one. Aimed half a frame early so that time stamps rounded to the millisecond still land on it.
 */
async function shownFrameSeconds(path: string, offsetMs: number): Promise<number | undefined> {
  const data = await readFile(path).catch(() => undefined);
  if (!data) return undefined;
  const { framesMs } = scanTs(data);
  const frame = frameShownAt(framesMs, offsetMs);
  if (frame === undefined) return undefined;
  const halfFrame = (frameIntervalMs(framesMs) || 40) / 2;
  return Math.max(0, frame - halfFrame) / 1_000;
}

/** A stored pass image (relative to <dataDir>/images, or a picture volume's range), read without leaving that folder. */
export async function passImage(imagesRoot: string, stored: string): Promise<Buffer> {
  const pictures = new PassPictures(imagesRoot);
  if (!pictures.locate(stored)) throw new DomainError('EXPORT_IMAGE_INVALID', 'pass image path leaves the image folder');
  const bytes = await pictures.read(stored);
  if (!bytes) throw new DomainError('EXPORT_IMAGE_MISSING', 'the pass image is no longer on disk');
  return bytes;
}

export async function writeStill(folder: string, fileName: string, jpeg: Buffer): Promise<string> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const output = join(folder, fileName);
  await writeFile(output, jpeg, { mode: 0o600 });
  return output;
}
