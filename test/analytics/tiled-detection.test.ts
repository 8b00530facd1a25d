import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectDetector } from '../../analytics/detect/object-detector.ts';
import { mergeTiledDetections, tileRegions } from '../../analytics/detect/tiled-detection.ts';
import { ModelRegistry } from '../../analytics/models/model-registry.ts';
import type { RawImage } from '../../analytics/models/raw-image.ts';
import { MEDIA_DIR } from '../../devtools/sim/test-clip.ts';

describe('tiles', () => {
  it('cover the whole picture with overlapping tiles', () => {
    const tiles = tileRegions(1920, 1080, 2, 0.2);
    expect(tiles).toHaveLength(4);
    for (const t of tiles) {
      expect(t.x + t.width).toBeLessThanOrEqual(1920);
      expect(t.y + t.height).toBeLessThanOrEqual(1080);
    }
    expect(Math.max(...tiles.map((t) => t.x + t.width))).toBe(1920);
    expect(Math.max(...tiles.map((t) => t.y + t.height))).toBe(1080);
    expect(tiles[0].width).toBeGreaterThan(1920 / 2); // they overlap
    expect(tileRegions(1920, 1080, 1)).toEqual([]);
  });

  it('merge drops duplicates and the half-person a tile edge cut, keeps people side by side', () => {
    const person = (x1: number, x2: number, score: number) => ({ classId: 0, score, box: { x1, y1: 0, x2, y2: 100 } });
    const merged = mergeTiledDetections([person(0, 40, 0.9), person(2, 41, 0.8), person(20, 40, 0.7), person(45, 85, 0.6)]);
    expect(merged.map((b) => b.score)).toEqual([0.9, 0.6]);
  });
});

/** The football picture of media/scenes/people_demo.png, 24 times small in one 1080p frame: a crowd of small people. */
async function smallPeopleFrame(): Promise<{ frame: RawImage; one: RawImage }> {
  const source = join(MEDIA_DIR, 'scenes/people_demo.png');
  const quarter = { left: 611, top: 0, width: 611, height: 424 };
  const small = await sharp(source).extract(quarter).resize(320, 222).toBuffer();
  const composites = Array.from({ length: 24 }, (_, i) => ({ input: small, left: (i % 6) * 320, top: Math.floor(i / 6) * 270 }));
  const big = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#306030' } }).composite(composites).raw().toBuffer({ resolveWithObject: true });
  const single = await sharp(source).extract(quarter).raw().toBuffer({ resolveWithObject: true });
  return {
    frame: { data: big.data, width: big.info.width, height: big.info.height, channels: big.info.channels },
    one: { data: single.data, width: single.info.width, height: single.info.height, channels: single.info.channels },
  };
}

describe('tiled person detection', () => {
  let plain: ObjectDetector;
  let tiled: ObjectDetector;
  beforeAll(async () => {
    const registry = ModelRegistry.open(['object-detector']);
    plain = await ObjectDetector.create(registry, { intraOpThreads: 1 });
    tiled = await ObjectDetector.create(registry, { intraOpThreads: 1, tiles: 2 });
  }, 60_000);
  afterAll(async () => { await Promise.all([plain?.release(), tiled?.release()]); });

  const persons = async (detector: ObjectDetector, image: RawImage) => (await detector.detect(image)).filter((o) => o.className === 'person' && o.score >= 0.45).length;

  it('finds small people one pass over the frame misses, without counting anyone twice', async () => {
    const { frame, one } = await smallPeopleFrame();
    const perPicture = await persons(plain, one);
    expect(perPicture).toBeGreaterThanOrEqual(3);
    const truth = perPicture * 24;
    const whole = await persons(plain, frame);
    const withTiles = await persons(tiled, frame);
    expect(whole).toBeLessThan(truth / 4);
    expect(withTiles).toBeGreaterThan(whole * 3);
    expect(withTiles).toBeLessThanOrEqual(truth);
    // A picture whose tiles would be smaller than the model input is not tiled: the same people, each once.
    expect(await persons(tiled, one)).toBe(perPicture);
  }, 60_000);
});
