import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Hub } from '../../api/hub/hub.ts';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { probeDurationMs, RECORDING_FEATURES, recordingOverrides } from './recording-fixtures.ts';

/**
 * Across a hub restart the index is kept and repaired: a segment cut by a crash (a `.part` ending in the
 * middle of a TS packet) is trimmed and indexed, a closed segment the index lost is indexed again, a file
 * deleted behind the hub's back is marked missing with a gap, and recording resumes with the hub's downtime
 * as a gap.
 */
describeEachDatabase('recording: restart keeps and repairs the index', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;
  let second: Hub | undefined;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/rs1']);
    t = await startTestHub(kind, { overrides: recordingOverrides(), features: RECORDING_FEATURES });
    camera = await addCamera(t, rtsp.urlFor('/rs1'), 'Restarted gate');
  });
  afterAll(async () => {
    await second?.stop();
    await t?.database.drop();
    await rtsp?.stop();
  });

  it('re-indexes, repairs, marks missing and records the downtime as a gap', async () => {
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'continuous' } })).status).toBe(200);
    const index = t.hub.services.recording!.index;
    const root = t.hub.services.recording!.root;
    const before = await until('five segments', async () => {
      const list = await index.segmentsBetween(camera, 0, Number.MAX_SAFE_INTEGER);
      return list.length >= 5 ? list : undefined;
    }, 60_000, 250);
    const [deleted, unindexed, template] = [before[1]!, before[2]!, before[3]!];
    // A closed segment whose row is lost (as if the crash came between the file's rename and its insert).
    await index.deleteSegments([unindexed.id]);
    const config = t.hub.ctx.config;
    await t.hub.stop();
    const stoppedAt = Date.now();

    // While the hub is down: a file deleted behind its back, and a segment cut by a crash: a copy of a real
    // one, ending in the middle of a TS packet.
    rmSync(join(root, deleted.path));
    const templateBytes = readFileSync(join(root, template.path));
    const cutStart = stoppedAt + 1;
    const cutPath = join(root, dirname(template.path), `${cutStart}.ts.part`);
    writeFileSync(cutPath, templateBytes.subarray(0, Math.floor(templateBytes.length * 0.6) + 77));

    // The hub stays down 5 s: the hole after the newest indexed video must exceed recording.gapMs (2.5 s) even
    // though the repaired cut segment ends about 1.2 s after the stop and a fast machine restarts in well under
    // a second (3 s of downtime left a hole of about 2.3 s, no gap, in one CI run).
    await new Promise((r) => setTimeout(r, 5_000));
    second = await Hub.start({ config: { ...config, http: { ...config.http, port: 0 } }, features: RECORDING_FEATURES, logger: pino({ level: 'silent' }) });
    const idx2 = second.services.recording!.index;

    const after = await idx2.segmentsBetween(camera, 0, Number.MAX_SAFE_INTEGER, { includeMissing: true });
    const byPath = new Map(after.map((s) => [s.path, s]));
    // Everything recorded before the restart is still indexed.
    for (const segment of before) expect(byPath.has(segment.path), segment.path).toBe(true);
    expect(byPath.get(deleted.path)!.state).toBe('missing');
    expect(byPath.get(unindexed.path)!.state).toBe('complete');
    // Re-read from the file's time stamps; the live index summed ffmpeg's EXTINFs, each measured to the next
    // key frame, so the two may differ by a few frames of the 15 fps clip (152 ms seen under CI load).
    expect(Math.abs(byPath.get(unindexed.path)!.durationMs - unindexed.durationMs)).toBeLessThanOrEqual(3 * (1_000 / 15));
    const repaired = byPath.get(`${dirname(template.path)}/${cutStart}.ts`);
    expect(repaired?.state).toBe('repaired');
    expect(existsSync(cutPath)).toBe(false);
    expect(repaired!.bytes % 188).toBe(0);
    expect(repaired!.durationMs).toBeGreaterThan(0);
    expect(repaired!.durationMs).toBeLessThan(template.durationMs);
    expect(Math.abs(probeDurationMs(join(root, repaired!.path)) - repaired!.durationMs)).toBeLessThanOrEqual(300);
    expect(readdirSync(join(root, dirname(template.path))).filter((n) => n.endsWith('.part'))).toEqual([]);

    // Recording resumes; the downtime and the missing file are gaps.
    await until('recording resumed', async () => (await idx2.segmentsBetween(camera, stoppedAt, Number.MAX_SAFE_INTEGER)).some((s) => s.state === 'complete' && s.startedAt > stoppedAt + 3_000), 60_000, 250);
    const gaps = await idx2.gapsBetween(camera, 0, Number.MAX_SAFE_INTEGER);
    expect(gaps.map((g) => g.reason)).toEqual(expect.arrayContaining(['segment_missing', 'hub_restart']));
    const missingGap = gaps.find((g) => g.reason === 'segment_missing')!;
    expect([missingGap.fromAt, missingGap.toAt]).toEqual([deleted.startedAt, deleted.endedAt]);
    const downtime = gaps.find((g) => g.reason === 'hub_restart')!;
    // From the end of the newest indexed video (the repaired cut segment runs a little past the stop).
    expect(downtime.fromAt).toBeLessThanOrEqual(stoppedAt + 2_000);
    expect(downtime.toAt).toBeGreaterThan(stoppedAt + 3_000);
  });
});
