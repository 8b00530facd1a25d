import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { cameraRegistry } from '../pipeline/analytics-hub.ts';
import { addCamera, relayOf, rtspConnections, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { RECORDING_FEATURES, recordingOf, recordingOverrides, segmentsOf } from './recording-fixtures.ts';

const PRE = 4;
const POST = 4;

/**
 * Recording on motion from the analytics pipeline itself (not an event put on the bus by the test): a
 * simulated camera whose clip cuts between scenes every 3 s is sampled by the real pipeline (ffmpeg, motion
 * gate), which emits `analytics.motion`; the recorder, holding the pull with the pre-roll in memory, stores
 * video from `PRE` s before the first motion and stops `POST` s after the last one (analytics switched off).
 * Analytics and recording share the relay's one pull of the camera.
 */
describe('recording: events from the analytics pipeline\'s motion', () => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/motion']);
    t = await startTestHub('sqlite', {
      overrides: { ...recordingOverrides(), analytics: { workers: 1, sampleFps: 2 } },
      features: [...RECORDING_FEATURES, 'analytics'],
    });
    camera = await addCamera(t, rtsp.urlFor('/motion'), 'Motion gate');
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  it('stores pre-roll to post-roll around the motion the pipeline detects', async () => {
    const motions: number[] = [];
    const onMotion = (motion: { cameraId: string; at: number }) => { if (motion.cameraId === camera) motions.push(motion.at); };
    t.hub.ctx.events.on('analytics.motion', onMotion);
    try {
      const set = await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'events', events: ['motion'], preRollSeconds: PRE, postRollSeconds: POST } });
      expect(set.status).toBe(200);
      await until('pull running', () => relayOf(t).status().some((s) => s.streamId === camera && s.hlsReady), 30_000);
      await new Promise((r) => setTimeout(r, (PRE + 3) * 1_000));
      expect(await segmentsOf(t, camera)).toEqual([]);
      expect(motions).toEqual([]);

      // Analytics on: the pipeline samples the same pull and reports motion at the scene cuts.
      const analytics = t.hub.services.analytics!;
      await cameraRegistry(t).update(camera, { analyticsEnabled: true });
      await analytics.reconcile(camera);
      await until('motion from the pipeline', () => motions.length >= 2, 60_000, 100);
      expect(relayOf(t).status().find((s) => s.streamId === camera)?.consumers).toEqual(expect.arrayContaining([`recorder:${camera}`, 'analytics']));
      expect(rtspConnections(rtsp.port)).toBe(1);

      // Analytics off: no more motion, so writing stops after the post-roll.
      await cameraRegistry(t).update(camera, { analyticsEnabled: false });
      await analytics.reconcile(camera);
      const firstMotion = motions[0]!;
      const lastMotion = motions.at(-1)!;
      const segments = await until('post-roll written', async () => {
        const list = await segmentsOf(t, camera);
        // Past the post-roll, with no segment open (a writer closes every 2 s inside the post-roll too).
        const over = Date.now() > lastMotion + (POST + 3) * 1_000;
        return over && list.length > 0 && !recordingOf(t).recorder.status().find((s) => s.cameraId === camera)?.recording ? list : undefined;
      }, 40_000, 250);
      expect(motions.at(-1)).toBe(lastMotion);
      const first = segments[0]!;
      const last = segments.at(-1)!;
      // Pre-roll: from about PRE s before the first motion (whole relay segments of ~1 s).
      expect(first.startedAt).toBeLessThanOrEqual(firstMotion - (PRE - 1.5) * 1_000);
      expect(first.startedAt).toBeGreaterThanOrEqual(firstMotion - (PRE + 2.5) * 1_000);
      // Post-roll: up to about POST s after the last motion, not beyond.
      expect(last.endedAt).toBeGreaterThanOrEqual(lastMotion + (POST - 1.5) * 1_000);
      expect(last.endedAt).toBeLessThanOrEqual(lastMotion + (POST + 4) * 1_000);
      await new Promise((r) => setTimeout(r, 4_000));
      expect((await segmentsOf(t, camera)).length).toBe(segments.length);
    } finally {
      t.hub.ctx.events.off('analytics.motion', onMotion);
    }
  }, 240_000);
});
