import sharp from 'sharp';
import type { DensityMap } from './density-map.ts';

/**
 * A density map as a transparent PNG heat map, one pixel per cell (the browser scales it over the picture
 * with smoothing): transparent where nobody is, then blue → green → yellow → red as people per cell rise
 * towards `saturation`. Colour follows people per cell, not the picture's maximum, so two frames of the
 * same scene look alike and an empty scene stays empty.
 */
export async function densityHeatMapPng(map: DensityMap, saturation = 0.08): Promise<Buffer> {
  const rgba = Buffer.alloc(Math.max(1, map.width * map.height) * 4);
  for (let i = 0; i < map.data.length; i++) {
    const level = Math.min(1, Math.max(0, map.data[i] / saturation));
    if (level < 0.02) continue;
    const [r, g, b] = ramp(level);
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = b;
    rgba[i * 4 + 3] = Math.round(60 + 150 * level);
  }
  return sharp(rgba, { raw: { width: Math.max(1, map.width), height: Math.max(1, map.height), channels: 4 } }).png().toBuffer();
}

/** Blue (0) → cyan → green → yellow → red (1). */
function ramp(level: number): [number, number, number] {
  const stops: Array<[number, number, number]> = [[0, 64, 255], [0, 200, 255], [0, 220, 90], [255, 220, 0], [255, 40, 0]];
  const x = level * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round(stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f)) as [number, number, number];
}
