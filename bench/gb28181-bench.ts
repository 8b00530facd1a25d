import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildPresetClip } from '../devtools/sim/clip-presets.ts';
import { startRtspServer } from '../devtools/sim/rtsp-server.ts';
import { startTestHub, type TestHub } from '../test/helpers/test-hub.ts';

/**
 * GB/T 28181 benchmark. Simulated NVRs run in a child process (`sim:gb28181`), so the hub's figures are the
 * hub's (node + relay ffmpegs). Measured in one run:
 * - registration + catalogue: devices pre-added by the admin (strict), then all register; time until every
 *   channel is a camera and online;
 * - INVITE → first FLV key frame, cold, over several channels;
 * - CPU of N GB channels relayed at once, against the RTSP relay of N streams of the same clip in the same run.
 */
const { values } = parseArgs({ options: {
  devices: { type: 'string' }, channels: { type: 'string' }, played: { type: 'string' }, seconds: { type: 'string' }, cold: { type: 'string' }, help: { type: 'boolean' },
} });
if (values.help) {
  console.log('Usage: npm run bench:gb28181 -- [--devices 10] [--channels 20] [--played 50] [--seconds 20] [--cold 7]');
  process.exit(0);
}
const DEVICES = Number(values.devices ?? 10);
const CHANNELS = Number(values.channels ?? 20);
const PLAYED = Math.min(Number(values.played ?? 50), DEVICES * CHANNELS);
const WINDOW_S = Number(values.seconds ?? 20);
const COLD = Number(values.cold ?? 7);
const PASSWORD = 'bench-gb-password';
const FIRST_ID = 34020000001180000001n;
const RELAY = { idleStopSeconds: 1, viewerIdleSeconds: 60, startTimeoutSeconds: 20, maxStreams: 500, maxSessionsPerUser: 1_000, inputTimeoutSeconds: 10, stallSeconds: 15 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const cpuTicks = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
};

async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

async function play(t: TestHub, camera: string, protocol: 'hls' | 'flv') {
  const r = await t.api(`/api/v1/cameras/${camera}/play`, { user: t.users.admin, body: { protocol } });
  if (r.status !== 201) throw new Error(`play ${camera}: ${r.status} ${JSON.stringify(r.body)}`);
  return { ...(r.body as { sessionId: string; hlsUrl: string; flvUrl: string }), holder: { cookie: r.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ') } };
}

/** Play request (INVITE on a cold channel) → first FLV video tag with a key frame. */
async function flvFirstFrame(t: TestHub, camera: string): Promise<number> {
  const t0 = performance.now();
  const session = await play(t, camera, 'flv');
  const controller = new AbortController();
  const reader = (await fetch(`${t.url}${session.flvUrl}`, { signal: controller.signal, headers: session.holder })).body!.getReader();
  let buffer = Buffer.alloc(0);
  let offset = 13;
  for (let found = false; !found;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('FLV ended before a key frame');
    buffer = Buffer.concat([buffer, Buffer.from(value)]);
    while (buffer.length >= offset + 11) {
      const size = buffer.readUIntBE(offset + 1, 3);
      if (buffer.length < offset + 11 + size) break;
      if (buffer[offset] === 9 && buffer[offset + 11] === 0x17 && buffer[offset + 12] === 1) { found = true; break; }
      offset += 11 + size + 4;
    }
  }
  const ms = performance.now() - t0;
  controller.abort();
  await t.api(`/api/v1/play/${session.sessionId}/stop`, { method: 'POST', user: t.users.admin });
  return ms;
}

/** N cameras played at once (HLS, playlists polled); cores of node + every relay ffmpeg over the window. */
async function streamLoad(t: TestHub, cameras: string[], seconds: number): Promise<number> {
  const relay = t.hub.services.relay!;
  const sessions = [];
  for (let i = 0; i < cameras.length; i += 10) {
    sessions.push(...await Promise.all(cameras.slice(i, i + 10).map((c) => play(t, c, 'hls'))));
    await sleep(500);
  }
  let polling = true;
  const poll = (async () => {
    while (polling) {
      await Promise.all(sessions.map((s) => fetch(`${t.url}${s.hlsUrl}`, { headers: s.holder }).then((r) => r.text()).catch(() => '')));
      await sleep(3_000);
    }
  })();
  await until('all streams segmenting', () => relay.status().filter((s) => s.hlsReady).length >= cameras.length, 120_000);
  await sleep(3_000);
  const pids = () => [process.pid, ...relay.status().map((s) => s.pid).filter((p): p is number => p !== null)];
  const start = new Map(pids().map((p) => [p, cpuTicks(p)]));
  const t0 = performance.now();
  await sleep(seconds * 1_000);
  const elapsed = (performance.now() - t0) / 1_000;
  let ticks = 0;
  for (const pid of new Set([...start.keys(), ...pids()])) ticks += cpuTicks(pid) - (start.get(pid) ?? 0);
  polling = false;
  await poll;
  for (const s of sessions) await t.api(`/api/v1/play/${s.sessionId}/stop`, { method: 'POST', user: t.users.admin });
  await until('streams stopped', () => relay.status().length === 0, 60_000);
  return ticks / 100 / elapsed;
}

async function gbRun(): Promise<{ registerS: number; withSpawnS: number; inviteMs: number[]; cores: number }> {
  const t = await startTestHub('sqlite', { overrides: { relay: RELAY, gb28181: { enabled: true, host: '127.0.0.1', port: 0, strict: true, password: '', rtpPortMin: 41_000, rtpPortMax: 41_999 } } });
  let sim: ChildProcess | undefined;
  try {
    const ids = Array.from({ length: DEVICES }, (_, d) => String(FIRST_ID + BigInt(d)));
    for (const id of ids) {
      const r = await t.api('/api/v1/gb28181/devices', { user: t.users.admin, body: { id, departmentId: t.departments.community, category: 'community', password: PASSWORD } });
      if (r.status !== 201) throw new Error(`device ${id}: ${r.status}`);
    }
    await buildPresetClip('small');
    const t0 = performance.now();
    sim = spawn(process.execPath, ['--import', 'tsx', 'devtools/sim/gb28181/sim-gb28181.ts', '--devices', String(DEVICES), '--channels', String(CHANNELS),
      '--server', `127.0.0.1:${t.hub.services.gb28181!.server!.port}`, '--password', PASSWORD], { stdio: ['ignore', 'ignore', 'inherit'] });
    const total = DEVICES * CHANNELS;
    // The clock starts at the first REGISTER: the simulator's own start (node + tsx, seconds on a loaded machine) is not the hub's.
    const server = t.hub.services.gb28181!.server!;
    await until('first REGISTER', () => server.sessions.ids().length > 0, 120_000);
    const tFirst = performance.now();
    let cameras: string[] = [];
    await until(`${total} GB cameras online`, async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body as Array<{ id: string; source: string; status: string }>;
      cameras = list.filter((c) => c.source === 'gb28181' && c.status === 'online').map((c) => c.id);
      return cameras.length >= total;
    }, 120_000);
    const registerS = (performance.now() - tFirst) / 1_000;
    const withSpawnS = (performance.now() - t0) / 1_000;
    const inviteMs: number[] = [];
    for (let i = 0; i < COLD; i++) inviteMs.push(await flvFirstFrame(t, cameras[cameras.length - 1 - i]!));
    await until('cold streams stopped', () => t.hub.services.relay!.status().length === 0, 30_000);
    const cores = await streamLoad(t, cameras.slice(0, PLAYED), WINDOW_S);
    return { registerS, withSpawnS, inviteMs, cores };
  } finally {
    sim?.kill('SIGTERM');
    await t.stop();
  }
}

async function rtspRun(): Promise<number> {
  const mounts = Array.from({ length: PLAYED }, (_, i) => `/cam${i + 1}`);
  const rtsp = await startRtspServer({ mounts, clipPath: await buildPresetClip('small') });
  const t = await startTestHub('sqlite', { overrides: { relay: RELAY } });
  try {
    const cameras: string[] = [];
    for (const mount of mounts) {
      const r = await t.api('/api/v1/cameras', { user: t.users.admin, body: { name: mount, departmentId: t.departments.ps, category: 'public_security', streamUrl: rtsp.urlFor(mount) } });
      cameras.push(r.body.id as string);
    }
    return await streamLoad(t, cameras, WINDOW_S);
  } finally {
    await t.stop();
    await rtsp.stop();
  }
}

const gb = await gbRun();
const rtspCores = await rtspRun();
console.log(`\nGB/T 28181: ${DEVICES} devices × ${CHANNELS} channels registered and catalogued into cameras in ${round(gb.registerS)} s from the first REGISTER (${round(gb.withSpawnS)} s with the simulator's start)`);
console.log(`INVITE → first FLV key frame, ms: p50 ${round(median(gb.inviteMs), 0)}, max ${round(Math.max(...gb.inviteMs), 0)} [${gb.inviteMs.map((x) => round(x, 0)).join(', ')}]`);
console.log(`hub cores (node + relay ffmpegs), ${PLAYED} streams: GB/T 28181 ${round(gb.cores)}, RTSP relay of the same clip (baseline) ${round(rtspCores)}, ratio ${round(gb.cores / rtspCores)}`);
console.log(`gb_devices=${DEVICES} gb_channels=${DEVICES * CHANNELS} gb_register_s=${round(gb.registerS)} gb_invite_ms_p50=${round(median(gb.inviteMs), 0)} gb_stream_cpu_cores=${round(gb.cores)} rtsp_stream_cpu_cores=${round(rtspCores)} gb_cpu_ratio=${round(gb.cores / rtspCores)}`);
process.exit(0);
