import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuseCount } from '../../analytics/crowd/crowd-counter.ts';
import { DensityEstimator } from '../../analytics/crowd/density-estimator.ts';
import { cropDensity, densityInZones, densityTotal, type DensityMap } from '../../analytics/crowd/density-map.ts';
import { densityHeatMapPng } from '../../analytics/crowd/heat-map.ts';
import { ModelRegistry } from '../../analytics/models/model-registry.ts';
import { loadImageFile } from '../../analytics/models/raw-image.ts';
import { MEDIA_DIR } from '../../devtools/sim/test-clip.ts';

/** A map of `cols` × `rows` cells of 10 px, each holding `value` people. */
function uniformMap(cols: number, rows: number, value: number): DensityMap {
  return { width: cols, height: rows, cellWidth: 10, cellHeight: 10, data: new Float32Array(cols * rows).fill(value) };
}

describe('crowd density map', () => {
  it('integrates people over a zone polygon: cells whose centre is inside', () => {
    const map = uniformMap(100, 50, 0.01); // 1000 × 500 px, 50 people in all
    expect(densityTotal(map)).toBeCloseTo(50, 3);
    const left = [{ x: 0, y: 0 }, { x: 500, y: 0 }, { x: 500, y: 500 }, { x: 0, y: 500 }];
    const triangle = [{ x: 0, y: 0 }, { x: 1000, y: 0 }, { x: 0, y: 500 }];
    const counts = densityInZones(map, [{ id: 'left', polygon: left }, { id: 'triangle', polygon: triangle }]);
    expect(counts.left).toBeCloseTo(25, 3);
    expect(counts.triangle).toBeGreaterThan(24);
    expect(counts.triangle).toBeLessThan(26);
  });

  it('counts only where people are: a crowd in one corner is outside a zone in the other', () => {
    const map = uniformMap(100, 50, 0);
    for (let row = 0; row < 10; row++) for (let col = 0; col < 10; col++) map.data[row * 100 + col] = 0.5; // 50 people top-left
    const topLeft = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }, { x: 0, y: 100 }];
    const bottomRight = [{ x: 900, y: 400 }, { x: 1000, y: 400 }, { x: 1000, y: 500 }, { x: 900, y: 500 }];
    const counts = densityInZones(map, [{ id: 'a', polygon: topLeft }, { id: 'b', polygon: bottomRight }]);
    expect(counts.a).toBeCloseTo(50, 3);
    expect(counts.b).toBe(0);
  });

  it('crops to the camera picture inside a letterboxed frame', () => {
    const map = uniformMap(100, 50, 0.01);
    const crop = cropDensity(map, { x: 200, y: 0, width: 600, height: 500 });
    expect([crop.width, crop.height]).toEqual([60, 50]);
    expect(densityTotal(crop)).toBeCloseTo(30, 3);
  });
});

describe('crowd count fusion', () => {
  const rule = { sparseBelow: 15, denseAbove: 40 };
  it('uses the detector where the density count is sparse, the density count where it is dense, and blends between', () => {
    expect(fuseCount(3, 11, rule)).toBe(3); // the density model over-counts sparse scenes by ~10
    expect(fuseCount(0, 2, rule)).toBe(0);
    expect(fuseCount(12, 300, rule)).toBe(300); // the detector saturates in dense crowds
    expect(fuseCount(20, 27.5, rule)).toBeCloseTo(23.75, 5); // halfway: half of each
    expect(fuseCount(60, 45, rule)).toBe(60); // never fewer than the detector found
    expect(fuseCount(7, undefined, rule)).toBe(7);
  });
});

describe('crowd density heat map', () => {
  it('is transparent where nobody is and opaque red where people are densest', async () => {
    const map = uniformMap(4, 2, 0);
    map.data[0] = 0.2;
    map.data[5] = 0.02;
    const png = await densityHeatMapPng(map);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([4, 2, 4]);
    const pixel = (i: number) => [...data.subarray(i * 4, i * 4 + 4)];
    expect(pixel(1)[3]).toBe(0);
    expect(pixel(0)).toEqual([255, 40, 0, 210]);
    expect(pixel(5)[3]).toBeGreaterThan(0);
    expect(pixel(5)[3]).toBeLessThan(210);
  });
});

describe('crowd density model (models/crowd_density_yoloxnano.onnx)', () => {
  let estimator: DensityEstimator;
  beforeAll(async () => {
    estimator = await DensityEstimator.create(ModelRegistry.open(['crowd-density']), { intraOpThreads: 1 });
  }, 60_000);
  afterAll(async () => { await estimator?.release(); });

  it('maps a picture to one cell per 8 model pixels over the picture, and finds the people', async () => {
    const people = await loadImageFile(join(MEDIA_DIR, 'scenes/people_demo.png'));
    const map = await estimator.estimate(people);
    // 2443 × 424 → long side 1024 → 1024 × 178 → 128 × 23 cells of 2443/128 source pixels.
    expect([map.width, map.height]).toEqual([128, 23]);
    expect(map.cellWidth).toBeCloseTo(2443 / 1024 * 8, 6);
    const total = densityTotal(map);
    expect(Number.isFinite(total)).toBe(true);
    // The four-picture strip shows players, a rider and a few people by the bus: a handful, not dozens.
    expect(total).toBeGreaterThan(3);
    expect(total).toBeLessThan(30);
    // The football pitch (second picture of the strip) holds most of them; the plate of food (third) nobody.
    const quarter = (i: number) => [{ x: (i * people.width) / 4, y: 0 }, { x: ((i + 1) * people.width) / 4, y: 0 }, { x: ((i + 1) * people.width) / 4, y: people.height }, { x: (i * people.width) / 4, y: people.height }];
    const counts = densityInZones(map, [0, 1, 2, 3].map((i) => ({ id: `q${i}`, polygon: quarter(i) })));
    expect(counts.q1).toBeGreaterThan(counts.q2);
    expect(counts.q2).toBeLessThan(1.5);
  }, 60_000);
});
