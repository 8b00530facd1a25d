import type { DetectedObject } from './object-detector.ts';
import { VEHICLE_CLASSES } from './coco-classes.ts';

export interface Point {
  x: number;
  y: number;
}

/** A named counting zone in source-image pixels (polygon vertices in order, closed implicitly). */
export interface Zone {
  id: string;
  polygon: readonly Point[];
}

export function countPersons(objects: readonly DetectedObject[], minScore = 0): number {
  return objects.filter((o) => o.className === 'person' && o.score >= minScore).length;
}

export function countVehicles(objects: readonly DetectedObject[], minScore = 0): number {
  return objects.filter((o) => VEHICLE_CLASSES.includes(o.className) && o.score >= minScore).length;
}

/** Even-odd ray casting; points exactly on an edge may fall either way, which is fine for counting. */
export function pointInPolygon(point: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i];
    const b = polygon[j];
    if (a.y > point.y !== b.y > point.y && point.x < ((b.x - a.x) * (point.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/**
 * Persons per zone. A person stands where the feet are, so the bottom-centre of the box is tested,
 * not the box centre (which for a near camera can sit in a zone the person is not standing in).
 */
export function countPersonsInZones(objects: readonly DetectedObject[], zones: readonly Zone[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const zone of zones) counts[zone.id] = 0;
  for (const o of objects) {
    if (o.className !== 'person') continue;
    const feet = { x: (o.box.x1 + o.box.x2) / 2, y: o.box.y2 };
    for (const zone of zones) if (pointInPolygon(feet, zone.polygon)) counts[zone.id]++;
  }
  return counts;
}
