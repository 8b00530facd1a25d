import type { Point, Zone } from '../detect/crowd.ts';

/** A crowd zone as configured: polygon in normalised 0..1 coordinates of the camera picture. */
export interface CrowdZone {
  id: string;
  name: string;
  polygon: Point[];
  /** Alert when the count stays above this... */
  threshold: number;
  /** ...for this many seconds. */
  durationSeconds: number;
  /** Real ground area in m², when the zone is calibrated; with densityThreshold, alerts on people per m². */
  areaSquareMetres?: number | null;
  /** Alert when people per m² stays above this (needs areaSquareMetres). */
  densityThreshold?: number | null;
}

/** Zone id of the whole-picture person count in the time series. */
export const WHOLE_FRAME_ZONE = '_all';

/** Where the camera picture sits inside a model frame (letterboxed: scaled to fit, centred, padded). */
export interface ContentRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Mirrors the sampler's ffmpeg scale (force_original_aspect_ratio=decrease, even sizes) and centred pad. */
export function contentRect(sourceWidth: number, sourceHeight: number, frameWidth: number, frameHeight: number): ContentRect {
  const scale = Math.min(frameWidth / sourceWidth, frameHeight / sourceHeight);
  const width = Math.min(frameWidth, Math.max(2, Math.floor((sourceWidth * scale) / 2) * 2));
  const height = Math.min(frameHeight, Math.max(2, Math.floor((sourceHeight * scale) / 2) * 2));
  return { x: Math.floor((frameWidth - width) / 2), y: Math.floor((frameHeight - height) / 2), width, height };
}

/** Normalised polygons to frame pixels, for countPersonsInZones. */
export function toPixelZones(zones: readonly CrowdZone[], rect: ContentRect): Zone[] {
  return zones.map((zone) => ({
    id: zone.id,
    polygon: zone.polygon.map((p) => ({ x: rect.x + p.x * rect.width, y: rect.y + p.y * rect.height })),
  }));
}
