import type { SourceRect } from '../models/resize-to-tensor.ts';
import { intersectionOverUnion, type Box, type ScoredBox } from './nms.ts';

/**
 * Overlapping tiles over a picture: a `grid` × `grid` layout whose tiles overlap by `overlap` of their size,
 * so that a person cut by one tile's edge is whole in its neighbour. A 1080p frame in 2×2 tiles gives the
 * detector's 416-pixel input about twice the pixels per person of the whole frame.
 */
export function tileRegions(width: number, height: number, grid: number, overlap = 0.2): SourceRect[] {
  if (grid <= 1) return [];
  const tileW = Math.ceil(width / (grid - (grid - 1) * overlap));
  const tileH = Math.ceil(height / (grid - (grid - 1) * overlap));
  const regions: SourceRect[] = [];
  for (let row = 0; row < grid; row++) {
    for (let col = 0; col < grid; col++) {
      const x = Math.min(width - tileW, Math.round(col * tileW * (1 - overlap)));
      const y = Math.min(height - tileH, Math.round(row * tileH * (1 - overlap)));
      regions.push({ x: Math.max(0, x), y: Math.max(0, y), width: Math.min(tileW, width), height: Math.min(tileH, height) });
    }
  }
  return regions;
}

const area = (b: Box) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);

function intersection(a: Box, b: Box): number {
  return Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)) * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
}

/**
 * Merges the whole-frame and tile detections: best score first, a box is dropped when it overlaps a kept box of
 * its class (IoU above `iou`) or lies mostly (`contained`) inside one — the second catches the half-person a tile
 * edge cut, which overlaps the whole person too little for IoU alone.
 */
export function mergeTiledDetections<T extends ScoredBox>(boxes: readonly T[], iou = 0.45, contained = 0.7): T[] {
  const kept: T[] = [];
  for (const box of [...boxes].sort((a, b) => b.score - a.score)) {
    const duplicate = kept.some((k) => k.classId === box.classId
      && (intersectionOverUnion(k.box, box.box) > iou || intersection(k.box, box.box) > contained * Math.min(area(box.box), area(k.box))));
    if (!duplicate) kept.push(box);
  }
  return kept;
}
