import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPresetClip, type ClipPreset } from '../devtools/sim/clip-presets.ts';
import { startRtspServer } from '../devtools/sim/rtsp-server.ts';
import type { StreamLease } from '../relay/relay-pool.ts';
import { startTestHub, type TestHub } from '../test/helpers/test-hub.ts';
import { exportClipMs, liveFirstSegmentMs, seekToFirstFrameMs } from './playback-measure.ts';
import { cpuTicks, measureCores } from './process-cpu.ts';

/**
 * Recording, playback and export benchmark (issue 16): N simulated cameras pulled once by the relay.
 * - CPU, on the same pulls in one run: relay alone (a lease per camera, HLS on disk) before and after
 *   recording, as the baseline, and relay + continuous recording of every camera for `--seconds`. Hub side:
 *   the node process and the relay's ffmpegs (/proc); the RTSP simulator is not the hub and is not counted.
 * - seek to first frame through the real routes: open a playback session at a random recorded instant,
 *   fetch its HLS VOD playlist and the first segment's bytes (baseline: live play → first HLS segment).
 * - a 60 s evidence export through the real API: create the job, poll until the MP4 is finished (stream
 *   copy cut at a key frame; baseline: a plain copy of the same segment files).
 * Seeks and the export run while every camera is still recording.
 */
const { values } = parseArgs({ options: { cameras: { type: 'string' }, seconds: { type: 'string' }, clip: { type: 'string' }, seeks: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('Usage: npm run bench:record -- [--cameras 50] [--seconds 300] [--clip hd|small] [--seeks 40]');
  process.exit(0);
}
const CAMERAS = Number(values.cameras ?? 50);
const SECONDS = Number(values.seconds ?? 300);
const CLIP = (values.clip ?? 'hd') as ClipPreset;
const SEEKS = Number(values.seeks ?? 40);
/** Each relay-only window (one before recording, one after); their mean is the baseline. */
const BASELINE_SECONDS = Math.min(SECONDS, Math.max(10, Math.round(SECONDS / 5)));
const EXPORT_MS = 60_000;

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

async function setPlans(t: TestHub, cameras: string[], mode: 'continuous' | 'off'): Promise<void> {
  for (const camera of cameras) {
    const r = await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.admin, body: { mode } });
    if (r.status !== 200) throw new Error(`plan ${camera}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const rtsp = await startRtspServer({ mounts: Array.from({ length: CAMERAS }, (_, i) => `/cam${i + 1}`), clipPath: await buildPresetClip(CLIP) });
  const t = await startTestHub('sqlite', {
    features: ['auth', 'directory', 'access', 'audit', 'dashboard', 'cameras', 'ingest', 'relay', 'recording', 'playback', 'evidence'],
    overrides: {
      ingest: { healthIntervalMs: 3_600_000 },
      relay: { maxStreams: CAMERAS + 10, maxSessionsPerUser: 1_000, idleStopSeconds: 5, startTimeoutSeconds: 30, inputTimeoutSeconds: 10, stallSeconds: 15 },
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
    // The bench holds a lease per camera throughout, so the pulls are the same in every phase (started in
    // batches: the simulator sets up media in one thread).
    for (let i = 0; i < cameras.length; i += 10) {
      leases.push(...await Promise.all(cameras.slice(i, i + 10).map((c) => relay.lease(c, 'bench'))));
      await sleep(1_000);
    }
    await waitFor('all pulls segmenting', () => relay.status().filter((s) => s.hlsReady).length >= CAMERAS, 180_000);
    await sleep(3_000);
    const pids = () => [process.pid, ...relay.status().map((s) => s.pid).filter((p): p is number => p !== null)];
    console.log(`${CAMERAS} cameras pulled; relay alone for ${BASELINE_SECONDS} s…`);
    const relayBefore = await measureCores(pids, BASELINE_SECONDS);

    await setPlans(t, cameras, 'continuous');
    await waitFor('every camera recorded a segment', async () => (await recording.index.storageByCamera()).length >= CAMERAS, 120_000);
    console.log(`recording ${CAMERAS} cameras for ${SECONDS} s…`);
    const bytesBefore = await recording.index.totalBytes();
    const windowStart = Date.now();
    const recordCores = await measureCores(pids, SECONDS);
    const windowSeconds = (Date.now() - windowStart) / 1_000;
    const written = (await recording.index.totalBytes()) - bytesBefore;
    const gaps = (await Promise.all(cameras.map((c) => recording.index.gapsBetween(c, windowStart, Date.now())))).flat();

    // Seeks and the export, still recording. The user is a viewer of the owner department (scope playback).
    const user = t.users.psViewer;
    const seeks: number[] = [];
    const figures = await recording.index.storageByCamera();
    for (let i = 0; i < SEEKS; i++) {
      // A random instant inside a random recorded segment (a camera that dropped under load has gaps).
      const f = figures[i % figures.length]!;
      const segments = await recording.index.segmentsBetween(f.cameraId, 0, Date.now());
      const segment = segments[Math.floor(Math.random() * Math.max(1, segments.length - 1))]!;
      const at = Math.round(segment.startedAt + Math.random() * Math.max(0, segment.durationMs - 100));
      seeks.push(await seekToFirstFrameMs(t, user, f.cameraId, at));
    }
    const live: number[] = [];
    for (const camera of cameras.slice(0, Math.min(SEEKS, cameras.length, 20))) live.push(await liveFirstSegmentMs(t, user, camera));
    const first = figures.find((f) => f.cameraId === cameras[0]) ?? figures[0]!;
    const exportFrom = first.oldestAt! + 500;
    const exportTo = Math.min(exportFrom + EXPORT_MS, first.newestAt! - 1_000);
    const exported = await exportClipMs(t, user, first.cameraId, exportFrom, exportTo);
    const copyStarted = performance.now();
    const scratch = join(t.database.dataDir, 'bench-copy');
    for (const segment of await recording.index.segmentsBetween(first.cameraId, exportFrom, exportTo)) {
      await copyFile(join(recording.root, segment.path), `${scratch}-${segment.id}`);
      await rm(`${scratch}-${segment.id}`);
    }
    const copyMs = performance.now() - copyStarted;

    // Baseline again, recording off, same pulls: the machine is shared, so the two relay-only windows bracket the recording one.
    await setPlans(t, cameras, 'off');
    await sleep(3_000);
    const relayAfter = await measureCores(pids, BASELINE_SECONDS);
    const relayCores = (relayBefore + relayAfter) / 2;
    const added = recordCores - relayCores;
    const restarts = relay.status().reduce((n, s) => n + s.restarts + s.stallRestarts, 0);
    const exportSeconds = exported.durationMs / 1_000;

    console.log(`\n${CAMERAS} cameras, ${CLIP} clip, recording window ${round(windowSeconds, 0)} s, relay-only windows ${BASELINE_SECONDS} s before and after`);
    console.log(table([
      ['what', 'figure', 'baseline (same run)', 'ratio'],
      ['hub CPU, cores (node + relay ffmpegs)', `${round(recordCores)} relay + recording`, `${round(relayCores)} relay only (${round(relayBefore)} before, ${round(relayAfter)} after)`, `${round(recordCores / relayCores)}×; recording adds ${round(added)} (${round(added / CAMERAS, 4)} per camera)`],
      ['written', `${round(written / 1e6 / windowSeconds, 2)} MB/s`, '—', '—'],
      ['seek → first VOD segment, p50 (max)', `${round(median(seeks), 0)} ms (${round(Math.max(...seeks), 0)})`, `live play → first HLS segment p50 ${round(median(live), 0)} ms`, `${round(median(seeks) / median(live))}×`],
      [`export of ${round(exportSeconds, 1)} s to MP4 (${round(exported.bytes / 1e6, 1)} MB)`, `${round(exported.ms, 0)} ms`, `plain copy of its segment files ${round(copyMs, 0)} ms`, `${round(exported.ms / Math.max(1, copyMs), 1)}×`],
    ]));
    console.log(`gaps in the recording window: ${gaps.length} (${round(gaps.reduce((n, g) => n + g.toAt - g.fromAt, 0) / 1_000, 1)} s over ${CAMERAS} cameras); relay ffmpeg restarts: ${restarts}; RTSP simulator pid ${rtsp.pid} used ${round(cpuTicks(rtsp.pid) / 100, 0)} CPU s (not the hub's)`);
    console.log(`record_streams=${CAMERAS} record_cpu_cores=${round(recordCores)} relay_cpu_cores=${round(relayCores)} record_added_cores=${round(added)} write_mb_per_s=${round(written / 1e6 / windowSeconds, 2)} record_gaps=${gaps.length} seek_ms_p50=${round(median(seeks), 0)} baseline_live_first_segment_ms_p50=${round(median(live), 0)} export_60s_ms=${round(exported.ms, 0)} export_seconds=${round(exportSeconds, 1)} baseline_copy_ms=${round(copyMs, 0)}`);
  } finally {
    for (const lease of leases) lease.release();
    await t.stop();
    await rtsp.stop();
  }
}

await main();
