import type { Point } from '../detect/crowd.ts';

/** Row-major 3x3 projective transform; h[8] is normalised to 1. */
export type Homography = Float64Array;

/**
 * The homography taking the 4 `from` points onto the 4 `to` points (what cv2.getPerspectiveTransform
 * computes): 8 unknowns, 2 equations per correspondence, solved by Gaussian elimination with pivoting.
 */
export function computeHomography(from: readonly Point[], to: readonly Point[]): Homography {
  if (from.length !== 4 || to.length !== 4) throw new Error('a homography needs exactly 4 point pairs');
  const a = new Float64Array(8 * 9); // augmented 8x8 | 1
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i];
    const { x: u, y: v } = to[i];
    a.set([x, y, 1, 0, 0, 0, -u * x, -u * y, u], (2 * i) * 9);
    a.set([0, 0, 0, x, y, 1, -v * x, -v * y, v], (2 * i + 1) * 9);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(a[r * 9 + col]) > Math.abs(a[pivot * 9 + col])) pivot = r;
    if (Math.abs(a[pivot * 9 + col]) < 1e-12) throw new Error('degenerate quadrilateral: three corners are collinear');
    if (pivot !== col) {
      for (let c = 0; c < 9; c++) {
        const t = a[col * 9 + c];
        a[col * 9 + c] = a[pivot * 9 + c];
        a[pivot * 9 + c] = t;
      }
    }
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = a[r * 9 + col] / a[col * 9 + col];
      if (f === 0) continue;
      for (let c = col; c < 9; c++) a[r * 9 + c] -= f * a[col * 9 + c];
    }
  }
  const h = new Float64Array(9);
  for (let i = 0; i < 8; i++) h[i] = a[i * 9 + 8] / a[i * 9 + i];
  h[8] = 1;
  return h;
}

export function applyHomography(h: Homography, p: Point): Point {
  const w = h[6] * p.x + h[7] * p.y + h[8];
  return { x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w };
}
