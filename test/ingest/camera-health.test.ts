import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulatedCameras, type SimulatedCameras } from '../../devtools/sim/sim-cameras.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { eventually, monitorOf, startIngestHub } from './ingest-hub.ts';

let sim: SimulatedCameras;
beforeAll(async () => {
  sim = await startSimulatedCameras({ count: 1, targetsFile: false, namePrefix: 'Health cam', username: 'operator', password: 'He4lth-Pw' });
});
afterAll(async () => {
  sim?.mainServer.resume();
  await sim?.stop();
});

/** Reads `event: status` messages of the SSE stream into `events` until aborted or the hub ends it. */
function followStatusStream(t: TestHub, events: Array<{ cameraId: string; status: string; previous: string }>) {
  const abort = new AbortController();
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => { connected = resolve; });
  const ended = (async () => {
    const response = await fetch(`${t.url}/api/v1/cameras/status/stream`, { headers: { authorization: `Bearer ${t.users.trafficViewer.token}` }, signal: abort.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    connected();
    const reader = response.body!.getReader();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 'ended';
      buffer += Buffer.from(value).toString('utf8');
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = /^data: (.*)$/m.exec(message);
        if (message.startsWith('event: status') && data) events.push(JSON.parse(data[1]!));
      }
    }
  })().catch((error: Error) => (abort.signal.aborted ? 'aborted' : Promise.reject(error)));
  return { ready, ended, abort: () => abort.abort() };
}

describeEachDatabase('camera health', (kind) => {
  let t: TestHub | undefined;
  let cameraId: string;
  const events: Array<{ cameraId: string; status: string; previous: string }> = [];
  let stream: ReturnType<typeof followStatusStream>;
  const status = async () => (await t!.api(`/api/v1/cameras/${cameraId}`, { user: t!.users.psViewer })).body.status as string;
  const waitFor = (wanted: string) => eventually(async () => (await status()) === wanted, 20_000, `status ${wanted}`);

  beforeAll(async () => {
    t = await startIngestHub(kind);
    // Subscribed before adoption, so the first status change is seen too.
    stream = followStatusStream(t, events);
    await stream.ready;
    const scan = await t.api('/api/v1/discovery/scan', { user: t.users.admin, body: { targets: [`127.0.0.1:${sim.cameras[0]!.discovery.port}`], multicast: false } });
    const adopted = await t.api(`/api/v1/discovery/candidates/${scan.body.candidates[0].id}/adopt`, {
      user: t.users.admin, body: { departmentId: t.departments.ps, category: 'public_security', username: 'operator', password: 'He4lth-Pw' },
    });
    cameraId = adopted.body.cameraId;
  });
  afterAll(async () => {
    stream?.abort();
    await t?.stop();
  });

  it('goes online after adoption, with last-seen time', async () => {
    await waitFor('online');
    const camera = await t!.api(`/api/v1/cameras/${cameraId}`, { user: t!.users.psViewer });
    expect(camera.body.lastSeenAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('flips to offline when the RTSP server freezes and recovers on its own (backoff reconnect) when it resumes', async () => {
    sim.mainServer.pause();
    try {
      expect(await monitorOf(t!).checkNow(cameraId)).toBe('offline');
    } finally {
      sim.mainServer.resume();
    }
    // No checkNow: the backoff loop finds the camera again.
    await waitFor('online');
  });

  it('flips to offline when the ONVIF service goes away, and back', async () => {
    sim.cameras[0]!.device.setMode('offline');
    try {
      expect(await monitorOf(t!).checkNow(cameraId)).toBe('offline');
    } finally {
      sim.cameras[0]!.device.setMode('normal');
    }
    await waitFor('online');
  });

  it('reports auth_failed when the stored password is wrong, and recovers when it is fixed', async () => {
    const patch = await t!.api(`/api/v1/cameras/${cameraId}`, { method: 'PATCH', user: t!.users.admin, body: { username: 'operator', password: 'wrong' } });
    expect(patch.status).toBe(200);
    await waitFor('auth_failed');
    // A plain RTSP camera with wrong credentials: RTSP digest refused twice.
    const manual = await t!.api('/api/v1/cameras', { user: t!.users.admin, body: { name: 'Manual', departmentId: t!.departments.ps, category: 'other', streamUrl: sim.cameras[0]!.rtspUrl, username: 'operator', password: 'nope' } });
    expect(await monitorOf(t!).checkNow(manual.body.id)).toBe('auth_failed');
    await t!.api(`/api/v1/cameras/${cameraId}`, { method: 'PATCH', user: t!.users.admin, body: { username: 'operator', password: 'He4lth-Pw' } });
    await waitFor('online');
  });

  it('records every change in the status history and pushes it on the SSE stream', async () => {
    const history = await t!.api(`/api/v1/cameras/${cameraId}/status-history`, { user: t!.users.trafficViewer });
    expect(history.status).toBe(200);
    const sequence = history.body.map((h: { status: string }) => h.status).reverse();
    expect(sequence).toEqual(['online', 'offline', 'online', 'offline', 'online', 'auth_failed', 'online']);
    expect(history.body[0].previous).toBe('auth_failed');
    await eventually(async () => events.filter((e) => e.cameraId === cameraId).length >= 7, 5_000, 'SSE events');
    expect(events.filter((e) => e.cameraId === cameraId).map((e) => e.status)).toEqual(sequence);
    expect(JSON.stringify(history.body)).not.toContain('He4lth-Pw');
  });

  it('ends open status streams when the hub stops', async () => {
    const hub = t!;
    t = undefined;
    await hub.stop();
    expect(await stream.ended).toBe('ended');
  });
});
