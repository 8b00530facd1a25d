import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, play, readFlv, relayOf, rtspConnections, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { fileOf, probeDurationMs, probeKeyframesMs, RECORDING_FEATURES, recordingOverrides, segmentsOf } from './recording-fixtures.ts';

/**
 * Continuous recording from a simulated camera: segments of ~2 s on disk, indexed with their wall-clock
 * start, bytes and key frames; the camera is still pulled once while a viewer watches live; storage
 * figures on the dashboard API and /metrics; the plan's routes check who may set it.
 */
describeEachDatabase('recording: continuous plan', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/rec1']);
    t = await startTestHub(kind, { overrides: recordingOverrides(), features: RECORDING_FEATURES });
    camera = await addCamera(t, rtsp.urlFor('/rec1'), 'Recorded gate');
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  it('lets only the owner department\'s approvers and admins set a plan, and checks it', async () => {
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { user: t.users.psViewer })).body.mode).toBe('off');
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psViewer, body: { mode: 'continuous' } })).status).toBe(403);
    const foreign = await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.trafficApprover, body: { mode: 'continuous' } });
    expect([foreign.status, foreign.body.code]).toEqual([403, 'RECORDING_PLAN_DENIED']);
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { user: t.users.trafficViewer })).status).toBe(403);
    const cases: Array<[unknown, string]> = [
      [{ mode: 'scheduled' }, 'RECORDING_SCHEDULE_EMPTY'],
      [{ mode: 'scheduled', schedule: { mon: [['18:00', '08:00']] } }, 'RECORDING_SCHEDULE_INVALID'],
      [{ mode: 'scheduled', schedule: { mon: [['25:00', '26:00']] } }, 'VALIDATION_FAILED'],
      [{ mode: 'events' }, 'RECORDING_EVENTS_EMPTY'],
      [{ mode: 'events', events: ['plate'], preRollSeconds: 200 }, 'RECORDING_PRE_ROLL_TOO_LONG'],
      [{ mode: 'sometimes' }, 'VALIDATION_FAILED'],
    ];
    for (const [body, code] of cases) {
      const res = await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body });
      expect([res.status, res.body.code], JSON.stringify(body)).toEqual([400, code]);
    }
    expect((await t.api('/api/v1/cameras/nope/recording', { method: 'PUT', user: t.users.admin, body: { mode: 'continuous' } })).status).toBe(404);
  });

  it('records continuously in ~2 s segments with wall-clock starts and key frames, the camera pulled once', async () => {
    const startedAt = Date.now();
    const set = await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'continuous', retentionDays: 7 } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ mode: 'continuous', retentionDays: 7, effectiveRetentionDays: 7, updatedBy: 'psApprover' });
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'target_id']).where('action', '=', 'config.recording.update').execute();
    expect(audit).toEqual([{ action: 'config.recording.update', target_id: camera }]);

    const segments = await until('four recorded segments', async () => {
      const list = await segmentsOf(t, camera);
      return list.length >= 4 ? list : undefined;
    }, 60_000, 250);
    // A live viewer at the same time: it joins the recorder's pull, still one RTSP session at the camera.
    const viewer = await play(t, t.users.psViewer, camera, 'flv');
    expect(viewer.status).toBe(201);
    const flv = await readFlv(t, viewer.body.flvUrl, 32 * 1024);
    expect(flv.status).toBe(200);
    expect(relayOf(t).status().find((s) => s.streamId === camera)?.consumers).toEqual(expect.arrayContaining([`recorder:${camera}`, 'viewer:psViewer']));
    // A health probe's DESCRIBE may be open for a moment; a second pull would stay.
    await expect.poll(() => rtspConnections(rtsp.port), { timeout: 10_000, interval: 250 }).toBe(1);
    flv.controller.abort();

    for (const segment of segments) {
      expect(segment.state).toBe('complete');
      expect(segment.format).toBe('mpegts');
      expect(segment.path).toMatch(new RegExp(`^${camera}/\\d{4}-\\d{2}-\\d{2}/\\d+\\.ts$`));
      expect(segment.startedAt).toBeGreaterThan(startedAt - 15_000);
      expect(segment.startedAt).toBeLessThan(Date.now());
      expect(segment.durationMs).toBeGreaterThanOrEqual(1_500);
      expect(segment.durationMs).toBeLessThanOrEqual(4_000);
      expect(segment.endedAt - segment.startedAt).toBe(segment.durationMs);
      // ffprobe agrees with the index on the length and on the key frames.
      const file = fileOf(t, segment);
      expect(Math.abs(probeDurationMs(file) - segment.durationMs)).toBeLessThanOrEqual(300);
      expect(segment.keyframes[0]).toBe(0);
      expect(probeKeyframesMs(file).length).toBe(segment.keyframes.length);
    }
    // Back to back: each segment starts where the previous ended (within a frame or two).
    for (let i = 1; i < segments.length; i++) expect(Math.abs(segments[i]!.startedAt - segments[i - 1]!.endedAt)).toBeLessThanOrEqual(250);
    await t.api(`/api/v1/play/${viewer.body.sessionId}/stop`, { method: 'POST', user: t.users.psViewer });
  });

  it('shows storage figures on the dashboard API and /metrics', async () => {
    const report = await t.api('/api/v1/dashboard/recording', { user: t.users.admin });
    expect(report.status).toBe(200);
    const row = report.body.cameras.find((c: { cameraId: string }) => c.cameraId === camera);
    const stored = await segmentsOf(t, camera);
    expect(row.segments).toBeGreaterThanOrEqual(4);
    expect(row.bytes).toBeGreaterThan(10_000);
    expect(row.gaps).toBe(0);
    expect(report.body.volume.freeBytes).toBeGreaterThan(0);
    expect(stored.length).toBeGreaterThanOrEqual(row.segments);
    // A department that does not own the camera sees none of it.
    expect((await t.api('/api/v1/dashboard/recording', { user: t.users.trafficViewer })).body.cameras).toEqual([]);
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.users.admin.token}` } });
    const text = await metrics.text();
    expect(text).toMatch(new RegExp(`hub_recording_bytes\\{camera_id="${camera}"\\} [1-9]\\d+`));
    expect(text).toContain(`hub_recording_gaps{camera_id="${camera}"} 0`);
    expect(text).toContain('hub_recording_days_kept');
  });

  it('stops recording and releases the pull when the plan is turned off', async () => {
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.admin, body: { mode: 'off' } })).status).toBe(200);
    await until('pull stopped', () => !relayOf(t).status().some((s) => s.streamId === camera), 20_000);
    const count = (await segmentsOf(t, camera)).length;
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await segmentsOf(t, camera)).length).toBe(count);
  });
});
