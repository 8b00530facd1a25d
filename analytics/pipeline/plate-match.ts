import type { Box } from '../detect/nms.ts';

/** Levenshtein distance, stopping early once it exceeds `limit` (plates are ≤ 10 characters). */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > limit) return limit + 1;
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= y.length; j++) {
      const value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[y.length];
}

export function boxesOverlap(a: Box, b: Box): boolean {
  return Math.min(a.x2, b.x2) > Math.max(a.x1, b.x1) && Math.min(a.y2, b.y2) > Math.max(a.y1, b.y1);
}

/**
 * Is this reading the same plate as a pass already open? The same text anywhere in the frame (the car
 * moved), or one character of OCR disagreement where the plate was last seen (boxes overlap).
 */
export function samePlate(text: string, box: Box, passText: string, passBox: Box): boolean {
  if (text === passText) return true;
  return boxesOverlap(box, passBox) && editDistance(text, passText, 1) <= 1;
}
