import type { Point } from '../detect/crowd.ts';
import type { RawImage } from '../models/raw-image.ts';
import { computeHomography } from './homography.ts';

/** Output of a warp: RGB pixels in a caller-owned buffer that is reused from plate to plate. */
export interface WarpTarget {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Warps the quadrilateral `quad` (TL, TR, BR, BL in source pixels) onto a width×height RGB rectangle.
 * Bilinear sampling with edge replication (like cv2.BORDER_REPLICATE); when the rectangle is much
 * smaller than the quad, several bilinear samples per pixel are averaged so that a close-up plate is
 * not aliased. No allocation per pixel: only scalar arithmetic in the loop.
 */
export function warpQuad(image: RawImage, quad: readonly Point[], target: WarpTarget): void {
  const { width: outW, height: outH, data: out } = target;
  if (out.length < outW * outH * 3) throw new Error(`warp target needs ${outW * outH * 3} bytes, has ${out.length}`);
  const h = computeHomography(
    [{ x: 0, y: 0 }, { x: outW, y: 0 }, { x: outW, y: outH }, { x: 0, y: outH }],
    quad,
  );
  const quadW = Math.max(dist(quad[0], quad[1]), dist(quad[3], quad[2]));
  const quadH = Math.max(dist(quad[0], quad[3]), dist(quad[1], quad[2]));
  const samples = Math.min(4, Math.max(1, Math.ceil(Math.max(quadW / outW, quadH / outH) - 0.25)));
  const step = 1 / samples;
  const norm = 1 / (samples * samples);
  const { data, width: srcW, height: srcH, channels } = image;
  const maxX = srcW - 1, maxY = srcH - 1;
  const grey = channels === 1;

  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let r = 0, g = 0, b = 0;
      for (let sy = 0; sy < samples; sy++) {
        const dy = oy + (sy + 0.5) * step;
        for (let sx = 0; sx < samples; sx++) {
          const dx = ox + (sx + 0.5) * step;
          const w = h[6] * dx + h[7] * dy + h[8];
          let x = (h[0] * dx + h[1] * dy + h[2]) / w - 0.5;
          let y = (h[3] * dx + h[4] * dy + h[5]) / w - 0.5;
          x = x < 0 ? 0 : x > maxX ? maxX : x;
          y = y < 0 ? 0 : y > maxY ? maxY : y;
          const x0 = Math.floor(x), y0 = Math.floor(y);
          const x1 = x0 < maxX ? x0 + 1 : x0, y1 = y0 < maxY ? y0 + 1 : y0;
          const fx = x - x0, fy = y - y0;
          const i00 = (y0 * srcW + x0) * channels, i01 = (y0 * srcW + x1) * channels;
          const i10 = (y1 * srcW + x0) * channels, i11 = (y1 * srcW + x1) * channels;
          const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
          const vr = data[i00] * w00 + data[i01] * w01 + data[i10] * w10 + data[i11] * w11;
          if (grey) { r += vr; g += vr; b += vr; continue; }
          r += vr;
          g += data[i00 + 1] * w00 + data[i01 + 1] * w01 + data[i10 + 1] * w10 + data[i11 + 1] * w11;
          b += data[i00 + 2] * w00 + data[i01 + 2] * w01 + data[i10 + 2] * w10 + data[i11 + 2] * w11;
        }
      }
      const o = (oy * outW + ox) * 3;
      out[o] = r * norm + 0.5;
      out[o + 1] = g * norm + 0.5;
      out[o + 2] = b * norm + 0.5;
    }
  }
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Natural flat size of a plate quad (longest opposite edges), as upstream's get_rotate_crop_image. */
export function quadSize(quad: readonly Point[]): { width: number; height: number } {
  return {
    width: Math.max(1, Math.round(Math.max(dist(quad[0], quad[1]), dist(quad[3], quad[2])))),
    height: Math.max(1, Math.round(Math.max(dist(quad[0], quad[3]), dist(quad[1], quad[2])))),
  };
}
