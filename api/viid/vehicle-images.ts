import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { DomainError } from '../kernel/errors/domain-error.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../kernel/fs/private-files.ts';
import type { OutboundUrlGuard } from '../kernel/http/outbound-url.ts';
import { passImagePaths } from '../../analytics/pipeline/pass-images.ts';
import type { ImageSource } from './objects/motor-vehicle-input.ts';
import { jpegSize } from './jpeg-size.ts';

export interface VehicleImageLimits {
  maxImageBytes: number;
  maxImagePixels: number;
  fetchTimeoutMs: number;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const invalid = (code: string, message: string, cause?: unknown) => new DomainError(code, message, { cause });

/**
 * Pictures of received vehicles, stored like our own pass crops (`<dataDir>/images/<day>/<passId>-crop.jpg`
 * and `-scene.jpg`, private files). A picture is inline base64 or fetched from the peer's URL
 * through the outbound guard (no redirects, bounded time and size). Its size is bounded before decoding
 * (maxImageBytes) and its header's pixel count before any pixel is decoded (maxImagePixels); JPEGs are kept
 * as sent, other formats sharp reads (PNG, WebP, BMP…) are re-encoded as JPEG.
 */
export class VehicleImages {
  /** Day folders known to exist (retention may remove a day's folder only long after the day). */
  private readonly readyDirs = new Set<string>();

  constructor(private readonly imagesDir: string, private readonly limits: VehicleImageLimits, private readonly outbound: OutboundUrlGuard) {}

  /** The picture's bytes as a checked JPEG; throws VIID_IMAGE_* DomainErrors. */
  async load(source: ImageSource): Promise<Buffer> {
    const bytes = 'data' in source ? this.decode(source.data) : await this.fetch(source.url);
    return this.asJpeg(bytes);
  }

  /** Writes one picture of a pass; returns its path relative to the images folder. */
  async write(passId: string, at: number, kind: 'crop' | 'scene', jpeg: Buffer): Promise<string> {
    const rel = passImagePaths(passId, at)[kind];
    const full = join(this.imagesDir, rel);
    const day = dirname(full);
    if (!this.readyDirs.has(day)) {
      await ensurePrivateDir(this.imagesDir);
      await ensurePrivateDir(day);
      this.readyDirs.add(day);
    }
    // Written in place: no reader can ask for it before the pass row naming it is committed, after this.
    try {
      await writeFile(full, jpeg, { mode: PRIVATE_FILE_MODE });
    } catch (error) {
      // The folder went away meanwhile (retention): make it again once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await ensurePrivateDir(day);
      await writeFile(full, jpeg, { mode: PRIVATE_FILE_MODE });
    }
    return rel;
  }

  /** Removes pictures written for passes that were then not stored. */
  async remove(paths: string[]): Promise<void> {
    await Promise.all(paths.map((rel) => rm(join(this.imagesDir, rel), { force: true })));
  }

  private decode(data: string): Buffer {
    const body = data.startsWith('data:') ? data.slice(data.indexOf(',') + 1) : data;
    // Checked on the text: a 30 MB picture (or a base64 bomb) is refused before a byte is decoded.
    if (Math.floor((body.length * 3) / 4) > this.limits.maxImageBytes) {
      throw invalid('VIID_IMAGE_TOO_LARGE', `a picture may be at most ${this.limits.maxImageBytes} bytes`);
    }
    const compact = /\s/.test(body) ? body.replace(/\s+/g, '') : body;
    if (!BASE64.test(compact)) throw invalid('VIID_IMAGE_INVALID', 'Data is not base64');
    const bytes = Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
    if (bytes.length === 0) throw invalid('VIID_IMAGE_INVALID', 'Data is empty');
    return bytes;
  }

  private async fetch(url: string): Promise<Buffer> {
    try {
      await this.outbound.check(url);
    } catch (cause) {
      throw invalid('VIID_IMAGE_URL_REFUSED', `the hub does not fetch ${url.slice(0, 200)}: ${(cause as Error).message}`, cause);
    }
    let response: Response;
    try {
      response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(this.limits.fetchTimeoutMs) });
    } catch (cause) {
      throw invalid('VIID_IMAGE_FETCH_FAILED', `fetching the picture failed: ${(cause as Error).message}`, cause);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {});
      throw invalid('VIID_IMAGE_FETCH_FAILED', `fetching the picture answered ${response.status}`);
    }
    if (Number(response.headers.get('content-length')) > this.limits.maxImageBytes) {
      await response.body.cancel().catch(() => {});
      throw invalid('VIID_IMAGE_TOO_LARGE', `a picture may be at most ${this.limits.maxImageBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        size += chunk.length;
        if (size > this.limits.maxImageBytes) await reader.cancel().catch(() => {});
        if (size > this.limits.maxImageBytes) throw invalid('VIID_IMAGE_TOO_LARGE', `a picture may be at most ${this.limits.maxImageBytes} bytes`);
        chunks.push(Buffer.from(chunk));
      }
    } catch (cause) {
      if (cause instanceof DomainError) throw cause;
      throw invalid('VIID_IMAGE_FETCH_FAILED', `reading the picture failed: ${(cause as Error).message}`, cause);
    }
    return Buffer.concat(chunks, size);
  }

  private async asJpeg(bytes: Buffer): Promise<Buffer> {
    const size = jpegSize(bytes);
    if (size) {
      if (size.width === 0 || size.height === 0) throw invalid('VIID_IMAGE_INVALID', 'the picture has no size');
      if (size.width * size.height > this.limits.maxImagePixels) throw invalid('VIID_IMAGE_TOO_LARGE', `the picture claims ${size.width} × ${size.height} pixels; at most ${this.limits.maxImagePixels}`);
      return bytes;
    }
    let meta: Metadata;
    try {
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch (cause) {
      throw invalid('VIID_IMAGE_INVALID', 'the picture is not an image sharp can read', cause);
    }
    const pixels = (meta.width ?? 0) * (meta.height ?? 0);
    if (!pixels) throw invalid('VIID_IMAGE_INVALID', 'the picture has no size');
    if (pixels > this.limits.maxImagePixels) throw invalid('VIID_IMAGE_TOO_LARGE', `the picture claims ${meta.width} × ${meta.height} pixels; at most ${this.limits.maxImagePixels}`);
    if (meta.format === 'jpeg') return bytes;
    try {
      return await sharp(bytes, { limitInputPixels: this.limits.maxImagePixels }).jpeg({ quality: 85 }).toBuffer();
    } catch (cause) {
      throw invalid('VIID_IMAGE_INVALID', 'the picture could not be decoded', cause);
    }
  }
}
