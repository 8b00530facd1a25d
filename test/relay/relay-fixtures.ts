import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import { startTestHub, type TestHub, type TestUser } from '../helpers/test-hub.ts';

/** Relay settings that make tests quick: short idle times, a 2 s stall watchdog. */
export const FAST_RELAY = { relay: { idleStopSeconds: 1, viewerIdleSeconds: 3, stallSeconds: 3, inputTimeoutSeconds: 2, restartInitialMs: 200, restartMaxMs: 1_000 } };

export async function startSimCameras(mounts: string[]): Promise<RtspServerHandle> {
  return startRtspServer({ mounts, clipPath: await buildPresetClip('small') });
}

/** Registers a camera of the public-security department pointing at the simulator. */
export async function addCamera(t: TestHub, streamUrl: string, name = `cam ${randomUUID().slice(0, 6)}`): Promise<string> {
  const created = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name, departmentId: t.departments.ps, category: 'public_security', streamUrl } });
  if (created.status !== 201) throw new Error(`camera not created: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

/** An active grant from public security to traffic (inserted directly; the access workflow is another feature). */
export async function grantToTraffic(t: TestHub, cameraIds: string[], scopes = ['live'], endsAt = Date.now() + 3_600_000): Promise<string> {
  const id = randomUUID();
  await t.hub.ctx.db.insertInto('grants').values({
    id, request_id: null, grantee_department_id: t.departments.traffic, owner_department_id: t.departments.ps, target_kind: 'cameras',
    camera_ids: JSON.stringify(cameraIds), category: null, area: null, scopes: JSON.stringify(scopes), starts_at: Date.now() - 1_000, ends_at: endsAt,
    revoked_at: null, revoked_by: null, revoke_reason: null, emergency: 0, emergency_reason: null, reviewed_at: null, created_by: t.users.psApprover.id, created_at: Date.now(),
  }).execute();
  return id;
}

/** The binding cookie each play answer set, by session id: what the browser that started it would hold. */
const playCookies = new Map<string, string>();

export async function play(t: TestHub, user: TestUser, cameraId: string, protocol: 'hls' | 'flv' | 'ws-flv' = 'hls') {
  const started = await t.api(`/api/v1/cameras/${cameraId}/play`, { user, body: { protocol } });
  const cookie = started.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  if (started.status === 201 && cookie) playCookies.set(started.body.sessionId as string, cookie);
  return started;
}

/**
 * Headers a media request from the session holder's browser carries: the binding cookie of the session
 * named in the path's play token (the tests act as that browser; security #13 tests go without it).
 */
export function holderHeaders(path: string): Record<string, string> {
  const token = new URL(path, 'http://hub').searchParams.get('token');
  let sid: unknown;
  try { sid = (JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sid?: unknown }).sid; } catch { sid = undefined; }
  const cookie = typeof sid === 'string' ? playCookies.get(sid) : undefined;
  return cookie ? { cookie } : {};
}

/** GET a media URL (relative to the hub) as the session's browser and return status and bytes. */
export async function fetchMedia(t: TestHub, path: string): Promise<{ status: number; body: Buffer; type: string | null }> {
  const response = await fetch(`${t.url}${path}`, { headers: holderHeaders(path) });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), type: response.headers.get('content-type') };
}

/** The segment URIs of a playlist, in order. */
export function segmentUris(playlist: string): string[] {
  return playlist.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('seg_'));
}

/** Established TCP connections to the RTSP server's port: the sessions the "camera" sees. */
export function rtspConnections(port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim()).length;
}

/** Processes whose command starts with ffmpeg in this process's children (descendants of the test worker). */
export function ffmpegChildren(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  const rows = out.split('\n').map((l) => l.trim().split(/\s+/)).filter((r) => r.length === 3).map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm }));
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const row of rows) if (mine.has(row.ppid) && !mine.has(row.pid)) { mine.add(row.pid); grew = true; }
  }
  return rows.filter((r) => mine.has(r.pid) && r.comm === 'ffmpeg').map((r) => r.pid);
}

export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function relayOf(t: TestHub): RelayPool {
  const hub = t.hub.services.relay;
  if (!hub) throw new Error('relay service missing');
  return hub;
}

/** Reads an HTTP-FLV response until `bytes` arrived or it ends; returns what came and whether it ended. */
export async function readFlv(t: TestHub, path: string, bytes: number, timeoutMs = 15_000): Promise<{ status: number; data: Buffer; ended: boolean; response: Response; controller: AbortController }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = await fetch(`${t.url}${path}`, { signal: controller.signal, headers: holderHeaders(path) });
  const chunks: Buffer[] = [];
  let size = 0;
  let ended = false;
  if (response.status === 200 && response.body) {
    const reader = response.body.getReader();
    try {
      while (size < bytes) {
        const { value, done } = await reader.read();
        if (done) { ended = true; break; }
        chunks.push(Buffer.from(value));
        size += value.length;
      }
    } catch {
      ended = true;
    }
    reader.releaseLock();
  }
  clearTimeout(timer);
  return { status: response.status, data: Buffer.concat(chunks), ended, response, controller };
}

/** Fires `paths` at once while sampling this process's ffmpeg children and the simulator's RTSP sessions. */
export async function burstCountingGrabs(t: TestHub, rtspPort: number, user: TestUser, paths: string[]) {
  let ffmpegPeak = 0;
  let rtspPeak = 0;
  let done = false;
  const sampling = (async () => {
    while (!done) {
      ffmpegPeak = Math.max(ffmpegPeak, ffmpegChildren().length);
      rtspPeak = Math.max(rtspPeak, rtspConnections(rtspPort));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const answers = await Promise.all(paths.map(async (path) => {
    const response = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${user.token}` } });
    const body = Buffer.from(await response.arrayBuffer());
    const code = response.headers.get('content-type')?.includes('json') ? (JSON.parse(body.toString()) as { code?: string }).code : undefined;
    return { status: response.status, code, bytes: body.length, retryAfter: response.headers.get('retry-after') };
  }));
  done = true;
  await sampling;
  return { answers, ffmpegPeak, rtspPeak };
}

/**
 * A hub (SQLite) with simulated cameras whose first health probes are done and whose probe sessions are
 * closed, probes an hour apart and no relay pull: every RTSP session and ffmpeg counted afterwards is a
 * snapshot's.
 */
export async function startQuietSnapshotCameras(mounts: string[], ingest: Record<string, unknown> = {}): Promise<{ t: TestHub; rtsp: RtspServerHandle; cameras: string[]; stop(): Promise<void> }> {
  const rtsp = await startSimCameras(mounts);
  let t: TestHub | undefined;
  try {
    t = await startTestHub('sqlite', { overrides: { ingest: { healthIntervalMs: 3_600_000, ...ingest } } });
    const hub = t;
    const cameras: string[] = [];
    for (const mount of mounts) cameras.push(await addCamera(hub, rtsp.urlFor(mount)));
    await until('first health probes done', async () => {
      const states = await Promise.all(cameras.map(async (id) => (await hub.api(`/api/v1/cameras/${id}`, { user: hub.users.psViewer })).body.status));
      return states.every((s) => s !== 'unknown');
    }, 15_000);
    await until('health probe sessions closed', () => rtspConnections(rtsp.port) === 0, 10_000);
    return { t: hub, rtsp, cameras, stop: async () => { await hub.stop(); await rtsp.stop(); } };
  } catch (error) {
    await t?.stop();
    await rtsp.stop();
    throw error;
  }
}
