import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, until } from '../relay/relay-fixtures.ts';
import { RECORDING_FEATURES, recordingOf, recordingOverrides, segmentsOf } from './recording-fixtures.ts';

/**
 * A camera drop is on record while it lasts: a real simulated camera stops (its RTSP server goes away),
 * and before it comes back the index already holds an open gap from the end of the last segment, which
 * the timeline shows as ongoing up to now; when the camera is back the same gap is closed at the time
 * video resumed and is no longer ongoing.
 */
describeEachDatabase('recording: a camera drop is recorded when it happens', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle | undefined;
  let camera: string;
  const mounts = ['/dropgap'];

  beforeAll(async () => {
    rtsp = await startRtspServer({ mounts, clipPath: await buildPresetClip('small') });
    t = await startTestHub(kind, { overrides: recordingOverrides(), features: [...RECORDING_FEATURES, 'playback'] });
    camera = await addCamera(t, rtsp.urlFor('/dropgap'), 'Dropping gate');
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  const timelineGaps = async () => {
    const res = await t.api(`/api/v1/playback/cameras/${camera}/timeline?from=${Date.now() - 600_000}&to=${Date.now() + 1_000}`, { user: t.users.psViewer });
    expect(res.status).toBe(200);
    return res.body.gaps as Array<{ from: number; to: number; reason: string; ongoing: boolean }>;
  };

  it('writes an open gap while the camera is down and closes it when video resumes', async () => {
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'continuous' } })).status).toBe(200);
    await until('recording', async () => (await segmentsOf(t, camera)).length >= 2, 60_000, 250);
    const index = recordingOf(t).index;
    expect(await index.openGapOf(camera)).toBeUndefined();

    const port = rtsp!.port;
    await rtsp!.stop();
    rtsp = undefined;
    const downAt = Date.now();
    const open = await until('an open gap while the camera is down', () => index.openGapOf(camera), 30_000, 200);
    const noticedAt = Date.now();
    const lastEnd = Math.max(...(await segmentsOf(t, camera)).map((s) => s.endedAt));
    expect(open.reason).toBe('camera_drop');
    expect(open.ongoing).toBe(true);
    // It starts where the recording stopped, before the drop was noticed.
    expect(Math.abs(open.fromAt - lastEnd)).toBeLessThanOrEqual(1_000);
    expect(open.fromAt).toBeLessThanOrEqual(downAt + 1_500);

    // Still down: the timeline shows it ongoing, reaching up to now.
    await new Promise((r) => setTimeout(r, 2_000));
    const during = (await timelineGaps()).filter((g) => g.ongoing);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatchObject({ from: open.fromAt, reason: 'camera_drop' });
    expect(during[0]!.to).toBeGreaterThanOrEqual(noticedAt + 1_500);

    rtsp = await startRtspServer({ mounts, clipPath: await buildPresetClip('small'), port });
    const backAt = Date.now();
    await until('recording resumed', async () => (await segmentsOf(t, camera)).some((s) => s.startedAt > backAt), 60_000, 250);
    await until('the gap closed', async () => (await index.openGapOf(camera)) === undefined, 10_000, 200);

    const gaps = await index.gapsBetween(camera, 0, Number.MAX_SAFE_INTEGER);
    // The same row, closed at the resume: not a second gap for the same drop.
    expect(gaps.map((g) => g.id)).toEqual([open.id]);
    const closed = gaps[0]!;
    expect(closed).toMatchObject({ fromAt: open.fromAt, reason: 'camera_drop', ongoing: false });
    expect(closed.toAt).toBeGreaterThanOrEqual(backAt - 1_000);
    const firstAfter = Math.min(...(await segmentsOf(t, camera)).filter((s) => s.startedAt > open.fromAt).map((s) => s.startedAt));
    expect(Math.abs(closed.toAt - firstAfter)).toBeLessThanOrEqual(100);
    const after = await timelineGaps();
    expect(after).toEqual([{ from: closed.fromAt, to: closed.toAt, reason: 'camera_drop', ongoing: false }]);
  }, 180_000);
});
