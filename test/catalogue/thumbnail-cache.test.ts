import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { ThumbnailCache } from '../../ingest/snapshot/thumbnail-cache.ts';
import { pathToFileURL } from 'node:url';

type Point = [number, number];
// The player's plain ES module, as the browser runs it.
const { boxOf, insidePolygon } = (await import(pathToFileURL(join(process.cwd(), 'player/web/map/area-draw.js')).href)) as {
  boxOf: (points: Point[]) => { minLat: number; minLon: number; maxLat: number; maxLon: number };
  insidePolygon: (point: Point, polygon: Point[]) => boolean;
};

const dirs: string[] = [];
afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

/** A still source that fails as a camera does (the error paths of the cache); a real one is in thumbnails.test.ts. */
function failing(error: Error) {
  const calls: string[] = [];
  return { calls, take: async (cameraId: string) => { calls.push(cameraId); throw error; } };
}

it('remembers a failed grab for failureSeconds (an offline camera is not pulled on every page view), but not a busy hub', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'thumbs-'));
  dirs.push(dir);
  const offline = failing(new DomainError('SNAPSHOT_FAILED', 'no frame'));
  const cache = new ThumbnailCache(dir, offline, () => ({ ttlSeconds: 60, failureSeconds: 30 }));
  await expect(cache.get('cam-1', 'u1', 1_000)).rejects.toMatchObject({ code: 'SNAPSHOT_FAILED' });
  await expect(cache.get('cam-1', 'u2', 20_000)).rejects.toMatchObject({ code: 'SNAPSHOT_FAILED' });
  expect(offline.calls).toEqual(['cam-1']);
  await expect(cache.get('cam-1', 'u1', 40_000)).rejects.toMatchObject({ code: 'SNAPSHOT_FAILED' });
  expect(offline.calls).toEqual(['cam-1', 'cam-1']);

  const busy = failing(new DomainError('SNAPSHOT_BUSY', 'busy'));
  const busyCache = new ThumbnailCache(dir, busy, () => ({ ttlSeconds: 60, failureSeconds: 30 }));
  await expect(busyCache.get('cam-2', 'u1', 1_000)).rejects.toMatchObject({ code: 'SNAPSHOT_BUSY' });
  await expect(busyCache.get('cam-2', 'u1', 1_001)).rejects.toMatchObject({ code: 'SNAPSHOT_BUSY' });
  expect(busy.calls).toEqual(['cam-2', 'cam-2']);
  await expect(busyCache.get('../etc/passwd', 'u1')).rejects.toMatchObject({ code: 'THUMBNAIL_INVALID_ID' });
});

it('keeps thumbnails as private files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'thumbs-'));
  dirs.push(dir);
  const cache = new ThumbnailCache(join(dir, 'thumbnails'), { take: async () => ({ jpeg: Buffer.from([0xff, 0xd8, 0xff]), source: 'stream' as const }) }, () => ({ ttlSeconds: 60, failureSeconds: 30 }));
  expect((await cache.get('cam-3', 'u1')).fresh).toBe(true);
  expect((await cache.get('cam-3', 'u1')).fresh).toBe(false);
  expect(statSync(join(dir, 'thumbnails', 'cam-3.jpg')).mode & 0o077).toBe(0);
  await cache.forget('cam-3');
  expect((await cache.get('cam-3', 'u1')).fresh).toBe(true);
});

it('finds cameras inside a drawn polygon and the box around it (the map\'s area requests)', () => {
  const triangle: Point[] = [[31.20, 121.40], [31.20, 121.50], [31.30, 121.45]];
  expect(insidePolygon([31.22, 121.45], triangle)).toBe(true);
  expect(insidePolygon([31.29, 121.41], triangle)).toBe(false);
  expect(insidePolygon([31.19, 121.45], triangle)).toBe(false);
  expect(boxOf(triangle)).toEqual({ minLat: 31.20, minLon: 121.40, maxLat: 31.30, maxLon: 121.50 });
});
