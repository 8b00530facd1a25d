import { editDistance } from '../vocabulary/plate-text.ts';
import type { Box } from '../detect/nms.ts';

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
