import type { Point } from '../detect/crowd.ts';
import { pointInPolygon } from '../detect/crowd.ts';

/**
 * A crowd density map over a picture: `data[row * width + col]` people in one cell of `cellWidth` ×
 * `cellHeight` source pixels. The picture's count is the sum; a zone's count is the sum over the cells
 * whose centre lies inside the zone (cells are 8 model pixels, about 15 source pixels on a 1080p frame,
 * so the edge error is small next to the model's own).
 */
export interface DensityMap {
  width: number;
  height: number;
  cellWidth: number;
  cellHeight: number;
  data: Float32Array;
}

export function densityTotal(map: DensityMap): number {
  let sum = 0;
  for (const value of map.data) sum += value;
  return Math.max(0, sum);
}

/** People inside each polygon (source pixels), by integrating the map over the polygon. */
export function densityInZones(map: DensityMap, zones: ReadonlyArray<{ id: string; polygon: readonly Point[] }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const zone of zones) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const p of zone.polygon) { minX = Math.min(minX, p.x); maxX = Math.max(maxX, p.x); minY = Math.min(minY, p.y); maxY = Math.max(maxY, p.y); }
    const col0 = Math.max(0, Math.floor(minX / map.cellWidth));
    const col1 = Math.min(map.width - 1, Math.floor(maxX / map.cellWidth));
    const row0 = Math.max(0, Math.floor(minY / map.cellHeight));
    const row1 = Math.min(map.height - 1, Math.floor(maxY / map.cellHeight));
    let sum = 0;
    for (let row = row0; row <= row1; row++) {
      const y = (row + 0.5) * map.cellHeight;
      for (let col = col0; col <= col1; col++) {
        if (pointInPolygon({ x: (col + 0.5) * map.cellWidth, y }, zone.polygon)) sum += map.data[row * map.width + col];
      }
    }
    counts[zone.id] = Math.max(0, sum);
  }
  return counts;
}

/** The map cropped to a rectangle of source pixels (the camera picture inside a padded frame). */
export function cropDensity(map: DensityMap, rect: { x: number; y: number; width: number; height: number }): DensityMap {
  const col0 = Math.max(0, Math.floor(rect.x / map.cellWidth));
  const row0 = Math.max(0, Math.floor(rect.y / map.cellHeight));
  const col1 = Math.min(map.width, Math.ceil((rect.x + rect.width) / map.cellWidth));
  const row1 = Math.min(map.height, Math.ceil((rect.y + rect.height) / map.cellHeight));
  const width = Math.max(0, col1 - col0);
  const height = Math.max(0, row1 - row0);
  const data = new Float32Array(width * height);
  for (let row = 0; row < height; row++) data.set(map.data.subarray((row0 + row) * map.width + col0, (row0 + row) * map.width + col0 + width), row * width);
  return { width, height, cellWidth: map.cellWidth, cellHeight: map.cellHeight, data };
}
