import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';

/**
 * A decoded frame: interleaved 8-bit pixels, row-major, RGB (3) or RGBA (4) or grey (1).
 * Frames from cameras arrive this way (ffmpeg rawvideo rgb24), so the models read it without copies.
 */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** 1080p is 2.1 MP; 40 MP leaves room for stills from high-end cameras and refuses decompression bombs. */
export const DEFAULT_MAX_INPUT_PIXELS = 40_000_000;

export function assertRawImage(image: RawImage): void {
  const { data, width, height, channels } = image;
  const shapeOk = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0;
  if (!shapeOk || ![1, 3, 4].includes(channels) || data.length < width * height * channels) {
    throw new DomainError('IMAGE_SHAPE_INVALID', `raw image ${width}x${height}x${channels} does not match ${data.length} bytes`);
  }
}

/** Decodes an image file (JPEG, PNG, WebP, ...) to RGB; errors carry stable codes for the CLI and the API. */
export async function loadImageFile(path: string, maxPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<RawImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DomainError('IMAGE_NOT_FOUND', `no such file: ${path}`, { cause });
    throw new DomainError('IMAGE_UNREADABLE', `cannot read ${path}: ${code ?? 'error'}`, { cause });
  }
  return decodeImage(bytes, maxPixels, path);
}

export async function decodeImage(bytes: Uint8Array, maxPixels = DEFAULT_MAX_INPUT_PIXELS, label = 'image'): Promise<RawImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    if (/pixel limit/i.test(message)) {
      throw new DomainError('IMAGE_TOO_LARGE', `${label} has more than ${maxPixels} pixels`, { cause });
    }
    throw new DomainError('IMAGE_DECODE_FAILED', `${label} is not a decodable image: ${message}`, { cause });
  }
}
