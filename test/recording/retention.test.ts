import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import type { RecordedSegment } from '../../recording/recording-index.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { fileOf, RECORDING_FEATURES, recordingOf, recordingOverrides, segmentsOf } from './recording-fixtures.ts';

/** Watches the index: every segment ever seen, so the ones retention removed can be compared with the rest. */
function watchSegments(t: TestHub, cameras: string[]) {
  const seen = new Map<string, RecordedSegment>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const camera of cameras) for (const s of await segmentsOf(t, camera)) seen.set(s.id, s);
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  return { seen, stop: async () => { stopped = true; await loop; } };
}

/**
 * Retention: the volume's bytes cap and free-space floor drop the oldest segments of any camera first and
 * never a camera's newest, while recording goes on; a camera's retention days drop what is older.
 */
describeEachDatabase('recording: retention oldest first', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let cameras: string[];

  beforeAll(async () => {
    rtsp = await startSimCameras(['/rt1', '/rt2']);
    t = await startTestHub(kind, { overrides: recordingOverrides(), features: RECORDING_FEATURES });
    cameras = [await addCamera(t, rtsp.urlFor('/rt1'), 'Cap 1'), await addCamera(t, rtsp.urlFor('/rt2'), 'Cap 2')];
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  it('keeps the volume under its bytes cap by dropping the oldest segments, recording on', async () => {
    for (const camera of cameras) expect((await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'continuous' } })).status).toBe(200);
    const watch = watchSegments(t, cameras);
    const first = await until('three segments per camera', async () => {
      const lists = await Promise.all(cameras.map((c) => segmentsOf(t, c)));
      return lists.every((l) => l.length >= 3) ? lists.flat() : undefined;
    }, 60_000, 250);
    const average = first.reduce((sum, s) => sum + s.bytes, 0) / first.length;
    // The cap is set now, to about four segments' worth (the config object is the one the storage keeper reads).
    const cap = Math.round(average * 4);
    t.hub.ctx.config.recording.maxBytes = cap;
    await until('older segments dropped', async () => [...watch.seen.values()].length - (await Promise.all(cameras.map((c) => segmentsOf(t, c)))).flat().length >= 6, 60_000, 250);
    await new Promise((r) => setTimeout(r, 2_500));
    await watch.stop();

    const present = (await Promise.all(cameras.map((c) => segmentsOf(t, c)))).flat();
    const dropped = [...watch.seen.values()].filter((s) => !present.some((p) => p.id === s.id));
    const largest = Math.max(...present.map((s) => s.bytes));
    expect(present.reduce((sum, s) => sum + s.bytes, 0)).toBeLessThanOrEqual(cap + 2 * largest);
    // Oldest first across the volume: everything dropped started before everything kept.
    expect(Math.max(...dropped.map((s) => s.startedAt))).toBeLessThan(Math.min(...present.map((s) => s.startedAt)) + 1);
    for (const s of dropped) expect(existsSync(fileOf(t, s))).toBe(false);
    // Recording goes on for both cameras.
    for (const camera of cameras) expect(Math.max(...present.filter((s) => s.cameraId === camera).map((s) => s.endedAt))).toBeGreaterThan(Date.now() - 8_000);
    t.hub.ctx.config.recording.maxBytes = 0;
  });

  it('below the free-space floor drops all but each camera\'s newest segment, and keeps recording', async () => {
    // A floor above the disk's free space: the volume counts as full.
    t.hub.ctx.config.recording.minFreeBytes = Number.MAX_SAFE_INTEGER;
    await until('only the newest left', async () => (await Promise.all(cameras.map((c) => segmentsOf(t, c)))).every((l) => l.length <= 2), 30_000, 250);
    const newestBefore = Math.max(...(await segmentsOf(t, cameras[0]!)).map((s) => s.endedAt));
    await until('a newer segment recorded while full', async () => Math.max(...(await segmentsOf(t, cameras[0]!)).map((s) => s.endedAt)) > newestBefore, 30_000, 250);
    t.hub.ctx.config.recording.minFreeBytes = 0;
  });

  it('drops a camera\'s segments past its retention days, and its gaps', async () => {
    const camera = cameras[1]!;
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'off', retentionDays: 2 } })).status).toBe(200);
    const kept = await segmentsOf(t, camera);
    expect(kept.length).toBeGreaterThan(0);
    const storage = recordingOf(t).storage;
    // A day later nothing is past 2 days; three days later all of it is.
    expect((await storage.enforce(Date.now() + 86_400_000)).expired).toBe(0);
    const pass = await storage.enforce(Date.now() + 3 * 86_400_000);
    expect(pass.expired).toBe(kept.length);
    expect(await segmentsOf(t, camera)).toEqual([]);
    for (const s of kept) expect(existsSync(fileOf(t, s))).toBe(false);
    // The other camera (default 30 days) keeps its video.
    expect((await segmentsOf(t, cameras[0]!)).length).toBeGreaterThan(0);
  });
});
