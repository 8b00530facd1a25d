import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { startIngestHub } from '../ingest/ingest-hub.ts';
import { recordFault } from './fault-table.ts';

const CAMERAS = 50;
/** The 2-minute outage; HUB_FAULTS_QUICK=1 for 20 s while developing. */
const DROP_SECONDS = Number(process.env.HUB_FAULTS_DROP_SECONDS ?? (process.env.HUB_FAULTS_QUICK === '1' ? 20 : 120));
const RECONNECT = { healthIntervalMs: 2_000, requestTimeoutMs: 1_500, reconnectInitialMs: 250, reconnectMaxMs: 4_000 };

/** Stands in for the cameras while they are "down": accepts, reads the RTSP request line (which camera), hangs up. */
async function startTrap(port: number): Promise<{ server: Server; attempts: Map<string, number[]> }> {
  const attempts = new Map<string, number[]>();
  const server = createServer((socket: Socket) => {
    socket.once('data', (data) => {
      const mount = /rtsp:\/\/[^/\s]+(\/[^\s]*)/.exec(data.toString('latin1'))?.[1] ?? '?';
      const list = attempts.get(mount) ?? [];
      list.push(Date.now());
      attempts.set(mount, list);
      socket.destroy();
    });
    socket.on('error', () => {});
    socket.setTimeout(5_000, () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return { server, attempts };
}

/**
 * 50 cameras drop at once: each reconnects with exponential backoff and jitter (no lock-step storm, no
 * hammering), and all 50 come back online soon after the source returns.
 */
describeEachDatabase(`${CAMERAS} cameras drop for ${DROP_SECONDS} s`, (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle | undefined;
  let trap: Server | undefined;
  const mounts = Array.from({ length: CAMERAS }, (_, i) => `/cam${i + 1}`);

  beforeAll(async () => {
    rtsp = await startRtspServer({ mounts, clipPath: await buildPresetClip('small') });
    t = await startIngestHub(kind, RECONNECT);
  });
  afterAll(async () => {
    trap?.close();
    await t?.stop();
    await rtsp?.stop();
  });

  it('backs off with jitter while they are down and recovers all of them', async () => {
    const port = rtsp!.port;
    for (const mount of mounts) {
      const res = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: `drop ${mount}`, departmentId: t.departments.ps, category: 'traffic', streamUrl: rtsp!.urlFor(mount) } });
      expect(res.status).toBe(201);
    }
    const statuses = async () => (await t.api('/api/v1/cameras', { user: t.users.admin })).body as Array<{ status: string }>;
    const waitAll = async (status: string, ms: number) => {
      const deadline = Date.now() + ms;
      while ((await statuses()).filter((c) => c.status === status).length < CAMERAS) {
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 250));
      }
      return true;
    };
    expect(await waitAll('online', 60_000)).toBe(true);

    await rtsp!.stop();
    rtsp = undefined;
    const trapped = await startTrap(port);
    trap = trapped.server;
    const droppedAt = Date.now();
    await new Promise((r) => setTimeout(r, DROP_SECONDS * 1_000));
    const offline = (await statuses()).filter((c) => c.status !== 'online').length;
    await new Promise<void>((resolve) => trapped.server.close(() => resolve()));
    trap = undefined;
    rtsp = await startRtspServer({ mounts, clipPath: await buildPresetClip('small'), port });
    const backAt = Date.now();
    const recovered = await waitAll('online', RECONNECT.reconnectMaxMs + 60_000);
    const recoverySeconds = (Date.now() - backAt) / 1_000;

    // Backoff: per camera, the gaps between attempts grow towards the cap instead of staying at the check interval.
    const perCamera = [...trapped.attempts.values()];
    const gaps = perCamera.map((times) => times.slice(1).map((at, i) => at - times[i]));
    const maxAttempts = Math.max(...perCamera.map((a) => a.length));
    // Full-speed retrying at the initial delay would give DROP/0.25 s attempts; the backoff bound allows far fewer.
    const bound = Math.ceil(Math.log2(RECONNECT.reconnectMaxMs / RECONNECT.reconnectInitialMs)) + Math.ceil((DROP_SECONDS * 1_000) / (RECONNECT.reconnectMaxMs / 2)) + 2;
    // Jitter: the same attempt number falls at different times on different cameras.
    const fourthGaps = gaps.filter((g) => g.length >= 4).map((g) => Math.round(g[3] / 10));
    const distinct = new Set(fourthGaps).size;
    recordFault({ fault: `${CAMERAS} cameras drop ${DROP_SECONDS} s [${kind}]`, expected: CAMERAS, found: recovered ? CAMERAS : (await statuses()).filter((c) => c.status === 'online').length, duplicates: 0, recoverySeconds, note: `${offline} offline during the drop; ≤ ${maxAttempts} attempts per camera (bound ${bound}); ${distinct} distinct 4th gaps of ${fourthGaps.length}` });
    expect(offline).toBe(CAMERAS);
    expect(trapped.attempts.size).toBe(CAMERAS);
    expect(maxAttempts).toBeLessThanOrEqual(bound);
    for (const g of gaps) if (g.length >= 4) expect(Math.max(...g.slice(-2)), 'later gaps reach the backoff range').toBeGreaterThan(RECONNECT.reconnectInitialMs * 2);
    expect(distinct, 'cameras retried in lock-step').toBeGreaterThan(CAMERAS / 5);
    expect(recovered).toBe(true);
    void droppedAt;
  }, (DROP_SECONDS + 240) * 1_000);
});
