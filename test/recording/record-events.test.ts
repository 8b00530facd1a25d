import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, relayOf, rtspConnections, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { RECORDING_FEATURES, recordingOf, recordingOverrides, segmentsOf } from './recording-fixtures.ts';

const PRE = 4;
const POST = 4;

/**
 * Recording on events: the pull runs (pre-roll is kept in memory) but nothing is written until a plate pass
 * comes in through the checkpoint ingest; then video from `PRE` s before the pass to `POST` s after it is
 * stored, and writing stops again. A scheduled plan outside its hours holds no pull at all.
 */
describeEachDatabase('recording: events with pre- and post-roll, schedule', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;
  let idle: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/ev1', '/ev2']);
    t = await startTestHub(kind, { overrides: recordingOverrides(), features: RECORDING_FEATURES });
    camera = await addCamera(t, rtsp.urlFor('/ev1'), 'Event gate');
    idle = await addCamera(t, rtsp.urlFor('/ev2'), 'Night gate');
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  it('stores pre-roll to post-roll around a plate pass and nothing before or after', async () => {
    const set = await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'events', events: ['plate', 'watchlist'], preRollSeconds: PRE, postRollSeconds: POST } });
    expect(set.status).toBe(200);
    await until('pull running', () => relayOf(t).status().some((s) => s.streamId === camera && s.hlsReady), 30_000);
    // Long enough for a full pre-roll in memory; nothing may be written meanwhile.
    await new Promise((r) => setTimeout(r, (PRE + 3) * 1_000));
    expect(await segmentsOf(t, camera)).toEqual([]);

    const passedAt = Date.now() - 500;
    const pass = await t.api('/api/v1/checkpoint/passes', {
      user: t.users.admin,
      body: { records: [{ id: `rec-ev-${passedAt}`, cameraId: camera, passedAt, plate: '京A12345', plateColour: 'blue', plateConfidence: 0.95, charConfidences: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9] }] },
    });
    expect(pass.status, JSON.stringify(pass.body)).toBe(200);
    const segments = await until('post-roll written', async () => {
      const list = await segmentsOf(t, camera);
      // Past the post-roll by more than a relay segment, and the last segment closed (between two segments of the
      // window the writer is closed for a moment too: that alone is no end).
      const over = Date.now() > passedAt + (POST + 2) * 1_000;
      return over && list.length > 0 && list.at(-1)!.endedAt >= passedAt + (POST - 1) * 1_000 && !recordingOf(t).recorder.status().find((s) => s.cameraId === camera)?.recording ? list : undefined;
    }, 40_000, 250);
    const first = segments[0]!;
    const last = segments.at(-1)!;
    // Pre-roll: the stored video starts about PRE s before the pass (whole relay segments of ~1 s).
    expect(first.startedAt).toBeLessThanOrEqual(passedAt - (PRE - 1.5) * 1_000);
    expect(first.startedAt).toBeGreaterThanOrEqual(passedAt - (PRE + 2.5) * 1_000);
    expect(last.endedAt).toBeLessThanOrEqual(passedAt + (POST + 4) * 1_000);
    const total = segments.reduce((sum, s) => sum + s.durationMs, 0);
    expect(total).toBeGreaterThanOrEqual((PRE + POST - 2) * 1_000);
    // And then it stops writing.
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await segmentsOf(t, camera)).length).toBe(segments.length);
    // A health probe's DESCRIBE may be open for a moment; a second pull would stay.
    await expect.poll(() => rtspConnections(rtsp.port), { timeout: 10_000, interval: 250 }).toBe(1);
  });

  it('takes watchlist, crowd and motion events from the hub event bus only when the plan lists them', async () => {
    const recorder = recordingOf(t).recorder;
    expect(recorder.trigger(camera, 'crowd', Date.now())).toBe(false);
    expect(recorder.trigger(camera, 'motion', Date.now())).toBe(false);
    const before = (await segmentsOf(t, camera)).length;
    t.hub.ctx.events.emit('checkpoint.alert', {
      id: 'a1', watchlistId: 'w1', ownerDepartmentId: t.departments.ps, reason: 'r', passId: 'p', plate: '京A12345', cameraId: camera,
      passedAt: Date.now(), raisedAt: Date.now(), acknowledgedAt: null, acknowledgedBy: null, ackNote: null,
    });
    await until('watchlist hit recorded', async () => (await segmentsOf(t, camera)).length > before, 30_000, 250);

    // Motion and crowd plans take the analytics pipeline's motion events and crowd alerts from the same bus.
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'events', events: ['motion', 'crowd'], preRollSeconds: 2, postRollSeconds: 2 } })).status).toBe(200);
    expect(recorder.trigger(camera, 'plate', Date.now())).toBe(false);
    // Until the earlier triggers' post-roll is over: no new segment for 3 s.
    const quiet = async () => {
      for (let last = -1, n = (await segmentsOf(t, camera)).length; n !== last; last = n, n = (await segmentsOf(t, camera)).length) await new Promise((r) => setTimeout(r, 3_000));
    };
    await quiet();
    const beforeMotion = (await segmentsOf(t, camera)).length;
    t.hub.ctx.events.emit('analytics.motion', { cameraId: camera, at: Date.now() });
    await until('motion recorded', async () => (await segmentsOf(t, camera)).length > beforeMotion, 30_000, 250);
    await quiet();
    const beforeCrowd = (await segmentsOf(t, camera)).length;
    t.hub.ctx.events.emit('crowd.alert', { id: 'c1', cameraId: camera, zoneId: '_all', startedAt: Date.now() - 1_000, raisedAt: Date.now(), threshold: 5, count: 9, trigger: 'count' });
    await until('crowd alert recorded', async () => (await segmentsOf(t, camera)).length > beforeCrowd, 30_000, 250);
  });

  it('holds no pull for a scheduled plan outside its hours', async () => {
    // The hour three hours from now (China time), every day: not now.
    const hour = (new Date(Date.now() + 8 * 3_600_000).getUTCHours() + 3) % 24;
    const range: [string, string] = [`${String(hour).padStart(2, '0')}:00`, `${String(hour).padStart(2, '0')}:30`];
    const schedule = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [range]]));
    expect((await t.api(`/api/v1/cameras/${idle}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'scheduled', schedule } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(relayOf(t).status().some((s) => s.streamId === idle)).toBe(false);
    // The whole day, every day: it records.
    const allDay = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]));
    expect((await t.api(`/api/v1/cameras/${idle}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'scheduled', schedule: allDay } })).status).toBe(200);
    await until('scheduled segments', async () => (await segmentsOf(t, idle)).length >= 2, 40_000, 250);

    // The camera is removed: recording stops, its plan goes, what it recorded stays until retention.
    expect((await t.api(`/api/v1/cameras/${idle}`, { method: 'DELETE', user: t.users.psApprover })).status).toBe(200);
    await until('pull stopped', () => !relayOf(t).status().some((s) => s.streamId === idle), 20_000);
    expect(await recordingOf(t).plans.get(idle)).toBeUndefined();
    expect((await segmentsOf(t, idle)).length).toBeGreaterThanOrEqual(2);
  });
});
