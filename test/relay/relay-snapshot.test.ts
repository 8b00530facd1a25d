import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, relayOf, rtspConnections, startSimCameras, until } from './relay-fixtures.ts';

describeEachDatabase('snapshot while the relay pulls the camera', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/gate']);
    // Health probes open RTSP sessions of their own: the first one comes within 3 s of adding the camera,
    // the next only after an hour, so the sessions counted below are the relay's and the snapshot's.
    // No frame cache: each test's still must be a grab of its own (the idle stop between them is ~1 s too).
    t = await startTestHub(kind, { overrides: { ...FAST_RELAY, ingest: { healthIntervalMs: 3_600_000, snapshot: { frameCacheMs: 0 } } } });
    camera = await addCamera(t, rtsp.urlFor('/gate'));
    await until('first health probe done', async () => (await t.api(`/api/v1/cameras/${camera}`, { user: t.users.psViewer })).body.status !== 'unknown', 10_000);
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  /** GETs a still while counting the RTSP sessions the camera sees; returns the status and the most sessions seen. */
  async function snapshotCountingSessions(): Promise<{ status: number; type: string | null; bytes: number; peak: number }> {
    let peak = rtspConnections(rtsp.port);
    let done = false;
    const sampling = (async () => {
      while (!done) {
        peak = Math.max(peak, rtspConnections(rtsp.port));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const response = await fetch(`${t.url}/api/v1/cameras/${camera}/snapshot?width=160`, { headers: { authorization: `Bearer ${t.users.psViewer.token}` } });
    const bytes = (await response.arrayBuffer()).byteLength;
    done = true;
    await sampling;
    return { status: response.status, type: response.headers.get('content-type'), bytes, peak };
  }

  it('takes the still from the running pull: the camera is not pulled a second time', async () => {
    const relay = relayOf(t);
    const lease = await relay.acquire(camera, 'snapshot-test');
    try {
      const still = await snapshotCountingSessions();
      expect(still).toMatchObject({ status: 200, type: 'image/jpeg', peak: 1 });
      expect(still.bytes).toBeGreaterThan(0);
    } finally {
      lease.release();
    }
    await until('idle stop after the last lease', () => !relay.stream(camera), 10_000);
  });

  it('reads the camera itself when no pull runs, and starts none', async () => {
    const still = await snapshotCountingSessions();
    expect(still).toMatchObject({ status: 200, type: 'image/jpeg', peak: 1 });
    expect(relayOf(t).stream(camera)).toBeUndefined();
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'snapshot').where('target_id', '=', camera).where('result', '=', 'ok').execute();
    expect(audit.map((a) => JSON.parse(a.details!).source)).toEqual(['stream', 'stream']);
  });
});
