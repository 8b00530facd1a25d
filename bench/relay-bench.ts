import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildPresetClip } from '../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../devtools/sim/rtsp-server.ts';
import { startTestHub, type TestHub, type TestUser } from '../test/helpers/test-hub.ts';

/**
 * Relay benchmark on simulated 1080p cameras (the 'hd' clip on one gst-rtsp-server). Measured in one run:
 * - CPU of the hub side (node + every relay ffmpeg, from /proc/<pid>/stat) with N cameras relayed at once,
 *   against a baseline in the same run: the same relay with transcoding (libx264) on 2 cameras, per stream;
 * - play request → first playable HLS segment, and → first FLV key frame, over cold starts (no pull yet),
 *   plus FLV on a running stream (NMS GOP cache);
 * - V HLS viewers on 10 cameras fetching every segment for a while, failures counted.
 * The RTSP server's CPU is reported separately: it plays the cameras, it is not the hub.
 */
const { values } = parseArgs({ options: {
  streams: { type: 'string' }, viewers: { type: 'string' }, seconds: { type: 'string' }, cold: { type: 'string' }, help: { type: 'boolean' },
} });
if (values.help) {
  console.log('Usage: npm run bench:relay -- [--streams 50] [--viewers 200] [--seconds 30] [--cold 9]');
  process.exit(0);
}
const STREAMS = Number(values.streams ?? 50);
const VIEWERS = Number(values.viewers ?? 200);
const WINDOW_S = Number(values.seconds ?? 30);
const COLD = Number(values.cold ?? 9);
const TICKS = 100; // CLK_TCK on Linux
const BENCH_RELAY = { relay: { maxSessionsPerUser: 1_000, idleStopSeconds: 1, viewerIdleSeconds: 60, startTimeoutSeconds: 20, maxStreams: 500, inputTimeoutSeconds: 10, stallSeconds: 15 } };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** Cores used by `pids()` over `seconds` (pids re-read at the end so restarted ffmpegs are seen; a vanished pid loses its share). */
async function measureCores(pids: () => number[], seconds: number, during?: () => Promise<void>): Promise<number> {
  const start = new Map(pids().map((p) => [p, cpuTicks(p)]));
  const t0 = performance.now();
  await Promise.all([sleep(seconds * 1_000), during?.()]);
  const elapsed = (performance.now() - t0) / 1_000;
  let ticks = 0;
  for (const pid of new Set([...start.keys(), ...pids()])) ticks += cpuTicks(pid) - (start.get(pid) ?? 0);
  return ticks / TICKS / elapsed;
}

async function play(t: TestHub, user: TestUser, camera: string, protocol: 'hls' | 'flv') {
  const r = await t.api(`/api/v1/cameras/${camera}/play`, { user, body: { protocol } });
  if (r.status !== 201) throw new Error(`play ${camera}: ${r.status} ${JSON.stringify(r.body)}`);
  // Media URLs play only with the session's binding cookie (security #13), as in the browser that started it.
  const holder = { cookie: r.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ') };
  return { ...(r.body as { sessionId: string; hlsUrl: string; flvUrl: string }), holder };
}

const stop = (t: TestHub, user: TestUser, sessionId: string) => t.api(`/api/v1/play/${sessionId}/stop`, { method: 'POST', user });

/** Play request → playlist (held until the first segment exists) → first segment fully received. */
async function hlsColdStart(t: TestHub, user: TestUser, camera: string): Promise<number> {
  const t0 = performance.now();
  const session = await play(t, user, camera, 'hls');
  const playlist = await fetch(`${t.url}${session.hlsUrl}`, { headers: session.holder });
  if (playlist.status !== 200) throw new Error(`playlist ${playlist.status}`);
  const first = (await playlist.text()).split('\n').find((l) => l.startsWith('seg_'));
  const segment = await fetch(`${t.url}/media/hls/${camera}/${first}`, { headers: session.holder });
  if (segment.status !== 200 || (await segment.arrayBuffer()).byteLength === 0) throw new Error(`segment ${segment.status}`);
  const ms = performance.now() - t0;
  await stop(t, user, session.sessionId);
  return ms;
}

/** Play request → first FLV video tag carrying a key frame (not just the sequence header). */
async function flvFirstFrame(t: TestHub, user: TestUser, camera: string): Promise<number> {
  const t0 = performance.now();
  const session = await play(t, user, camera, 'flv');
  const controller = new AbortController();
  const response = await fetch(`${t.url}${session.flvUrl}`, { signal: controller.signal, headers: session.holder });
  const reader = response.body!.getReader();
  let buffer = Buffer.alloc(0);
  let offset = 13; // FLV header + PreviousTagSize0
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('FLV ended before a key frame');
    buffer = Buffer.concat([buffer, Buffer.from(value)]);
    let found = false;
    while (buffer.length >= offset + 11) {
      const size = buffer.readUIntBE(offset + 1, 3);
      if (buffer.length < offset + 11 + size) break;
      if (buffer[offset] === 9 && buffer[offset + 11] === 0x17 && buffer[offset + 12] === 1) { found = true; break; }
      offset += 11 + size + 4;
    }
    if (found) break;
  }
  const ms = performance.now() - t0;
  controller.abort();
  await stop(t, user, session.sessionId);
  return ms;
}

async function addCameras(t: TestHub, rtsp: RtspServerHandle, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await t.api('/api/v1/cameras', { user: t.users.admin, body: { name: `cam${i}`, departmentId: t.departments.ps, category: 'public_security', streamUrl: rtsp.urlFor(`/cam${i}`) } });
    ids.push(r.body.id);
  }
  return ids;
}

async function waitFor(what: string, probe: () => boolean, timeoutMs: number, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${detail ? ` (${detail()})` : ''}`);
    await sleep(200);
  }
}

/** N cameras relayed at once (one HLS session each, playlists polled to keep them alive); hub cores over the window. */
async function relayLoad(t: TestHub, rtsp: RtspServerHandle, cameras: string[], seconds: number) {
  const relay = t.hub.services.relay!;
  const sessions: Array<{ sessionId: string; hlsUrl: string; holder: { cookie: string } }> = [];
  let polling = true;
  const keepAlive = async () => {
    while (polling) {
      await Promise.all(sessions.map((s) => fetch(`${t.url}${s.hlsUrl}`, { headers: s.holder }).then((r) => r.text()).catch(() => '')));
      await sleep(3_000);
    }
  };
  // Started in batches of 10: the simulator sets up RTSP media in one Python thread; 50 at once makes it miss timeouts.
  for (let i = 0; i < cameras.length; i += 10) {
    sessions.push(...await Promise.all(cameras.slice(i, i + 10).map((c) => play(t, t.users.admin, c, 'hls'))));
    await sleep(1_000);
  }
  const loop = keepAlive();
  await waitFor('all streams segmenting', () => relay.status().filter((s) => s.hlsReady).length >= cameras.length, 90_000, () => {
    const status = relay.status();
    return `${status.filter((s) => s.hlsReady).length}/${cameras.length} segmenting, ${status.filter((s) => s.flvPublishing).length} publishing, restarts ${status.reduce((n, s) => n + s.restarts + s.stallRestarts, 0)}, RTSP connections ${status.length}`;
  });
  await sleep(3_000); // past start-up
  const ffmpegPids = () => relay.status().map((s) => s.pid).filter((p): p is number => p !== null);
  const rtspStart = cpuTicks(rtsp.pid);
  const t0 = performance.now();
  const hubCores = await measureCores(() => [process.pid, ...ffmpegPids()], seconds);
  polling = false;
  await loop;
  const rtspCores = (cpuTicks(rtsp.pid) - rtspStart) / TICKS / ((performance.now() - t0) / 1_000);
  const restarts = relay.status().reduce((n, s) => n + s.restarts + s.stallRestarts, 0);
  for (const s of sessions) await stop(t, t.users.admin, s.sessionId);
  await waitFor('streams stopped', () => relay.status().length === 0, 60_000);
  return { hubCores, rtspCores, restarts };
}

/** V viewers over 10 cameras, each fetching its playlist every second and every segment it has not fetched yet. */
async function hlsViewers(t: TestHub, cameras: string[], viewers: number, seconds: number) {
  const sessions = await Promise.all(Array.from({ length: viewers }, (_, i) => play(t, t.users.psViewer, cameras[i % cameras.length]!, 'hls')));
  let failures = 0;
  let fetched = 0;
  const reasons = new Map<string, number>();
  const fail = (why: string) => { failures++; reasons.set(why, (reasons.get(why) ?? 0) + 1); };
  let gaps = 0;
  const deadline = Date.now() + seconds * 1_000;
  await Promise.all(sessions.map(async (session, i) => {
    const camera = cameras[i % cameras.length]!;
    const seen = new Set<string>();
    let lastSeq = -1;
    await sleep((i % 20) * 50);
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${t.url}${session.hlsUrl}`, { headers: session.holder });
        if (r.status !== 200) { fail(`playlist ${r.status}`); await sleep(1_000); continue; }
        for (const uri of (await r.text()).split('\n').filter((l) => l.startsWith('seg_'))) {
          if (seen.has(uri)) continue;
          seen.add(uri);
          const seq = Number(/^seg_(\d+)/.exec(uri)![1]);
          if (lastSeq >= 0 && seq !== lastSeq + 1 && seq > lastSeq) gaps += seq - lastSeq - 1;
          lastSeq = Math.max(lastSeq, seq);
          const s = await fetch(`${t.url}/media/hls/${camera}/${uri}`, { headers: session.holder });
          const bytes = (await s.arrayBuffer()).byteLength;
          if (s.status === 200 && bytes > 0) fetched++;
          else fail(`segment ${s.status}`);
        }
      } catch (error) {
        fail(`network ${(error as Error).message}`);
      }
      await sleep(1_000);
    }
  }));
  for (const s of sessions) await stop(t, t.users.psViewer, s.sessionId);
  return { failures, fetched, gaps, reasons: [...reasons.entries()].map(([k, v]) => `${k}: ${v}`).join(', ') };
}

async function main(): Promise<void> {
  const clip = await buildPresetClip('hd');
  const mounts = Array.from({ length: Math.max(STREAMS, 10 + 2 * COLD + 1) }, (_, i) => `/cam${i + 1}`);
  const rtsp = await startRtspServer({ mounts, clipPath: clip });
  const rows: string[][] = [];
  let result = { hubCores: NaN, rtspCores: NaN, restarts: 0 };
  let firstSegment: number[] = [];
  let flvCold: number[] = [];
  const flvWarm: number[] = [];
  let viewersResult = { failures: NaN, fetched: 0, gaps: 0, reasons: '' };
  let baselinePerStream = NaN;
  try {
    // Baseline: the same relay transcoding (libx264 veryfast), 2 cameras: CPU per stream.
    const base = await startTestHub('sqlite', { overrides: { relay: { ...BENCH_RELAY.relay, transcode: 'always' } } });
    try {
      const baseline = await relayLoad(base, rtsp, (await addCameras(base, rtsp, 2)), Math.min(15, WINDOW_S));
      baselinePerStream = baseline.hubCores / 2;
    } finally {
      await base.stop();
    }
    const t = await startTestHub('sqlite', { overrides: BENCH_RELAY });
    try {
      const cameras = await addCameras(t, rtsp, mounts.length);
      result = await relayLoad(t, rtsp, cameras.slice(0, STREAMS), WINDOW_S);
      // Cold starts on cameras nobody pulls; a distinct camera each time so no idle wait is needed.
      firstSegment = [];
      for (let i = 0; i < COLD; i++) firstSegment.push(await hlsColdStart(t, t.users.admin, cameras[10 + i]!));
      flvCold = [];
      for (let i = 0; i < COLD; i++) flvCold.push(await flvFirstFrame(t, t.users.admin, cameras[10 + COLD + i]!));
      // FLV on a running stream: a lease keeps camera 0 pulled; the GOP cache gives the key frame at once.
      const lease = await t.hub.services.relay!.acquire(cameras[0]!, 'bench');
      await sleep(2_000);
      for (let i = 0; i < COLD; i++) flvWarm.push(await flvFirstFrame(t, t.users.admin, cameras[0]!));
      lease.release();
      viewersResult = await hlsViewers(t, cameras.slice(0, 10), VIEWERS, WINDOW_S);
    } finally {
      await t.stop();
    }
  } finally {
    await rtsp.stop();
  }
  const perStream = result.hubCores / STREAMS;
  rows.push(['relay -c copy (this build)', String(STREAMS), String(round(result.hubCores)), String(round(perStream, 4)), '1.00']);
  rows.push(['baseline: relay with libx264 transcode', '2', String(round(baselinePerStream * 2)), String(round(baselinePerStream, 4)), String(round(baselinePerStream / perStream, 1))]);
  console.log('\nHub-side CPU (node + relay ffmpegs), cores; ratio = per-stream cost vs copy');
  console.log(['mode', 'streams', 'cores', 'cores/stream', 'ratio'].join(' | '));
  for (const row of rows) console.log(row.join(' | '));
  console.log(`RTSP simulator (the cameras, not the hub): ${round(result.rtspCores)} cores; ffmpeg restarts during the window: ${result.restarts}`);
  console.log('\nLatency, ms (p50 / max over cold starts)');
  console.log(`play → first HLS segment (cold): ${round(median(firstSegment), 0)} / ${round(Math.max(...firstSegment), 0)}   [${firstSegment.map((x) => round(x, 0)).join(', ')}]`);
  console.log(`play → first FLV key frame (cold): ${round(median(flvCold), 0)} / ${round(Math.max(...flvCold), 0)}   [${flvCold.map((x) => round(x, 0)).join(', ')}]`);
  console.log(`play → first FLV key frame (stream running, GOP cache): ${round(median(flvWarm), 0)} / ${round(Math.max(...flvWarm), 0)}   ratio cold/warm ${round(median(flvCold) / median(flvWarm), 1)}`);
  console.log(`\nHLS viewers: ${VIEWERS} on 10 cameras for ${WINDOW_S} s: segments fetched ${viewersResult.fetched}, failures ${viewersResult.failures}${viewersResult.reasons ? ` (${viewersResult.reasons})` : ''}, segments skipped by late viewers ${viewersResult.gaps}`);
  console.log(`streams=${STREAMS} cpu_cores=${round(result.hubCores)} first_segment_ms_p50=${round(median(firstSegment), 0)} flv_first_frame_ms_p50=${round(median(flvCold), 0)}`);
}

await main();
