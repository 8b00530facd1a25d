/** Axis-aligned box in pixels: x1,y1 top-left, x2,y2 bottom-right. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface ScoredBox {
  box: Box;
  score: number;
  classId: number;
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Greedy NMS: best score first, drop any later box overlapping a kept one by more than the threshold.
 * classWise keeps overlapping boxes of different classes (a rider on a bicycle stays two objects).
 */
export function nonMaxSuppression<T extends ScoredBox>(candidates: readonly T[], iouThreshold: number, classWise = true): T[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    const suppressed = kept.some(
      (k) => (!classWise || k.classId === candidate.classId) && intersectionOverUnion(k.box, candidate.box) > iouThreshold,
    );
    if (!suppressed) kept.push(candidate);
  }
  return kept;
}
