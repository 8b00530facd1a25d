/** Where a source image lands inside a square model input, and how to map model pixels back. */
export interface Letterbox {
  /** model pixels per source pixel */
  ratio: number;
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Keeps the aspect ratio, truncates the resized size like the upstream Python (int(w·r)) and pads
 * either after the image (YOLOX: top-left) or evenly on both sides (HyperLPR: centred).
 */
export function computeLetterbox(srcWidth: number, srcHeight: number, size: number, align: 'top-left' | 'centre'): Letterbox {
  const ratio = Math.min(size / srcWidth, size / srcHeight);
  const width = Math.max(1, Math.min(size, Math.floor(srcWidth * ratio)));
  const height = Math.max(1, Math.min(size, Math.floor(srcHeight * ratio)));
  if (align === 'top-left') return { ratio, left: 0, top: 0, width, height };
  return { ratio, left: Math.floor((size - width) / 2), top: Math.floor((size - height) / 2), width, height };
}

export function toSourceX(box: Letterbox, modelX: number): number {
  return (modelX - box.left) / box.ratio;
}

export function toSourceY(box: Letterbox, modelY: number): number {
  return (modelY - box.top) / box.ratio;
}
