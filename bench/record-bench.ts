import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPresetClip, type ClipPreset } from '../devtools/sim/clip-presets.ts';
import { startRtspServer } from '../devtools/sim/rtsp-server.ts';
import type { StreamLease } from '../relay/relay-pool.ts';
import { scanTs } from '../recording/ts-scan.ts';
import { startTestHub, type TestHub } from '../test/helpers/test-hub.ts';
import { cpuTicks, measureCores } from './process-cpu.ts';

/**
 * Recording benchmark: N simulated cameras pulled by the relay, measured twice in one run on the same pulls:
 * relay alone (the baseline: a lease per camera, HLS on disk), then relay + continuous recording of every
 * camera. Prints the hub-side CPU of both (node + the relay ffmpegs, /proc), what recording adds, the bytes
 * written per second, and two read paths over what was recorded:
 * - seek: index lookup of a random instant + read of its segment up to the key frame at or before it
 *   (what a playback seek costs the hub before the first frame goes out; not the browser's decode);
 * - export: 60 s of recorded segments joined into one MPEG-TS file by stream copy (no re-encoding).
 */
const { values } = parseArgs({ options: { cameras: { type: 'string' }, seconds: { type: 'string' }, clip: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('Usage: npm run bench:record -- [--cameras 50] [--seconds 300] [--clip hd|small]');
  process.exit(0);
}
const CAMERAS = Number(values.cameras ?? 50);
const SECONDS = Number(values.seconds ?? 300);
const CLIP = (values.clip ?? 'hd') as ClipPreset;
const BASELINE_SECONDS = Math.min(SECONDS, Math.max(10, Math.round(SECONDS / 3)));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(250);
  }
}

async function seekOnce(t: TestHub, camera: string, at: number): Promise<number> {
  const { index, root } = t.hub.services.recording!;
  const t0 = performance.now();
  const segment = await index.segmentAt(camera, at);
  if (!segment) throw new Error('nothing recorded at the seek time');
  const into = Math.max(0, at - segment.startedAt);
  const key = Math.max(0, ...segment.keyframes.filter((k) => k <= into));
  // The segment a player is handed, read whole, its key frame at or before the instant confirmed on the bytes.
  const data = await readFile(join(root, segment.path));
  if (!scanTs(data).keyframesMs.includes(key)) throw new Error('the indexed key frame is not in the segment');
  return performance.now() - t0;
}

async function export60s(t: TestHub, camera: string, from: number, out: string): Promise<{ ms: number; bytes: number; coveredMs: number }> {
  const { index, root } = t.hub.services.recording!;
  const t0 = performance.now();
  const segments = await index.segmentsBetween(camera, from, from + 60_000);
  const file = await open(out, 'w');
  let bytes = 0;
  try {
    for (const segment of segments) {
      const data = await readFile(join(root, segment.path));
      await file.write(data);
      bytes += data.length;
    }
    await file.sync();
  } finally {
    await file.close();
  }
  const coveredMs = segments.reduce((sum, s) => sum + s.durationMs, 0);
  return { ms: performance.now() - t0, bytes, coveredMs };
}

async function main(): Promise<void> {
  const rtsp = await startRtspServer({ mounts: Array.from({ length: CAMERAS }, (_, i) => `/cam${i + 1}`), clipPath: await buildPresetClip(CLIP) });
  const t = await startTestHub('sqlite', {
    features: ['auth', 'directory', 'access', 'audit', 'dashboard', 'cameras', 'ingest', 'relay', 'recording'],
    overrides: {
      ingest: { healthIntervalMs: 3_600_000 },
      relay: { maxStreams: CAMERAS + 10, idleStopSeconds: 5, startTimeoutSeconds: 30, inputTimeoutSeconds: 10, stallSeconds: 15 },
      recording: { minFreeBytes: 0, segmentSeconds: 6 },
    },
  });
  const leases: StreamLease[] = [];
  try {
    const relay = t.hub.services.relay!;
    const recording = t.hub.services.recording!;
    const cameras: string[] = [];
    for (let i = 1; i <= CAMERAS; i++) {
      const r = await t.api('/api/v1/cameras', { user: t.users.admin, body: { name: `rec${i}`, departmentId: t.departments.ps, category: 'public_security', streamUrl: rtsp.urlFor(`/cam${i}`) } });
      cameras.push(r.body.id as string);
    }
    // Baseline: the relay alone, one lease per camera (started in batches: the simulator sets up media in one thread).
    for (let i = 0; i < cameras.length; i += 10) {
      leases.push(...await Promise.all(cameras.slice(i, i + 10).map((c) => relay.lease(c, 'bench'))));
      await sleep(1_000);
    }
    await waitFor('all pulls segmenting', () => relay.status().filter((s) => s.hlsReady).length >= CAMERAS, 120_000);
    await sleep(3_000);
    const pids = () => [process.pid, ...relay.status().map((s) => s.pid).filter((p): p is number => p !== null)];
    const relayCores = await measureCores(pids, BASELINE_SECONDS);

    // Recording: every camera continuous, on the same pulls.
    for (const camera of cameras) {
      const r = await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.admin, body: { mode: 'continuous' } });
      if (r.status !== 200) throw new Error(`plan ${camera}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    await waitFor('every camera recorded a segment', async () => (await recording.index.storageByCamera()).length >= CAMERAS, 120_000);
    const bytesBefore = await recording.index.totalBytes();
    const windowStart = Date.now();
    const recordCores = await measureCores(pids, SECONDS);
    const windowSeconds = (Date.now() - windowStart) / 1_000;
    const written = (await recording.index.totalBytes()) - bytesBefore;
    const restarts = relay.status().reduce((n, s) => n + s.restarts + s.stallRestarts, 0);

    // Seek: random instants in what the first cameras recorded.
    const seeks: number[] = [];
    const figures = await recording.index.storageByCamera();
    for (let i = 0; i < 40; i++) {
      const f = figures[i % figures.length]!;
      const at = f.oldestAt! + Math.random() * (f.newestAt! - f.oldestAt! - 1_000);
      seeks.push(await seekOnce(t, f.cameraId, at));
    }
    // Export: the oldest 60 s of camera 1 (shorter when the run recorded less).
    const first = figures.find((f) => f.cameraId === cameras[0]) ?? figures[0]!;
    const out = join(t.database.dataDir, 'export-bench.ts');
    const exported = await export60s(t, first.cameraId, first.oldestAt!, out);
    await rm(out, { force: true });

    const added = recordCores - relayCores;
    console.log('\nHub-side CPU (node + relay ffmpegs), cores, same pulls');
    console.log(`relay only (baseline, ${BASELINE_SECONDS} s): ${round(relayCores)}   relay + recording (${round(windowSeconds, 0)} s): ${round(recordCores)}   recording adds: ${round(added)} (${round(added / CAMERAS, 4)} per camera)`);
    console.log(`written: ${round(written / 1e6, 1)} MB in ${round(windowSeconds, 0)} s; relay ffmpeg restarts: ${restarts}; RTSP simulator pid ${rtsp.pid} (${round(cpuTicks(rtsp.pid) / 100, 0)} CPU s so far, not the hub)`);
    console.log(`seek (index lookup + segment read, hub side; not the browser's decode): p50 ${round(median(seeks), 1)} ms, max ${round(Math.max(...seeks), 1)} ms over ${seeks.length}`);
    console.log(`export (stream copy of ${round(exported.coveredMs / 1_000, 1)} s of MPEG-TS segments into one file, ${round(exported.bytes / 1e6, 1)} MB): ${round(exported.ms, 0)} ms`);
    console.log(`record_streams=${CAMERAS} record_cpu_cores=${round(recordCores)} relay_cpu_cores=${round(relayCores)} record_added_cores=${round(added)} write_mb_per_s=${round(written / 1e6 / windowSeconds, 2)} seek_ms_p50=${round(median(seeks), 1)} export_60s_ms=${round(exported.ms, 0)}`);
  } finally {
    for (const lease of leases) lease.release();
    await t.stop();
    await rtsp.stop();
  }
}

await main();
