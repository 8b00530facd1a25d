import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AnalyticsStatsSnapshot } from '../analytics/pipeline/analytics-stats.ts';
import { buildPresetClip } from '../devtools/sim/clip-presets.ts';
import { startRtspServer } from '../devtools/sim/rtsp-server.ts';
import { analyticsFeatures, cameraRegistry } from '../test/pipeline/analytics-hub.ts';
import { startTestHub } from '../test/helpers/test-hub.ts';

/**
 * Whole-pipeline soak (issue 5: "memory stays flat over a 10-minute run at full load", "back-pressure drops
 * the oldest frames, never grows memory"). A real hub in this process (inference workers are threads in it)
 * on a scratch database, C cameras on one gst-rtsp-server playing the 'plates' clip, every camera analysed:
 * ffmpeg sampler → motion gate → worker pool → pass tracker → pass queue over Redis → checkpoint store, plus
 * crowd counting with one zone per camera (threshold 0, so alerts are raised and ended too).
 *
 * The clip is a slideshow of stills, so with the product's 10 s keepalive the motion gate would skip nearly
 * every frame and the pool would idle; the soak analyses a static scene once a second instead (--keepalive 1).
 * 12 cameras then ask about 10 analysed frames/s, about what two workers manage on 2 busy cores, so the
 * pool falls behind (model loading, scene changes on many cameras at once) and drops oldest-first, counted.
 *
 * Baseline in the same run: the same hub with the same cameras registered but analytics off, sampled the same
 * way for --baseline-minutes, so its RSS drift can be set against the loaded run's.
 * Every 10 s: RSS and heap of this process, RSS of its ffmpeg children (/proc), frames, passes, queue depths.
 */
const { values } = parseArgs({ options: {
  minutes: { type: 'string' }, cameras: { type: 'string' }, 'sample-fps': { type: 'string' }, keepalive: { type: 'string' },
  'baseline-minutes': { type: 'string' }, database: { type: 'string' }, help: { type: 'boolean' },
} });
if (values.help) {
  console.log('Usage: npm run bench:soak -- [--minutes 10] [--cameras 12] [--sample-fps 2] [--keepalive 1] [--baseline-minutes 1] [--database sqlite|postgres]');
  process.exit(0);
}
const MINUTES = Number(values.minutes ?? 10);
const CAMERAS = Number(values.cameras ?? 12);
const SAMPLE_FPS = Number(values['sample-fps'] ?? 2);
const KEEPALIVE_S = Number(values.keepalive ?? 1);
const BASELINE_MINUTES = Number(values['baseline-minutes'] ?? 1);
const DATABASE = values.database === 'postgres' ? 'postgres' : 'sqlite';
const SAMPLE_EVERY_MS = 10_000;
const MB = 2 ** 20;

interface Sample {
  /** Minutes since the phase started. */
  minute: number;
  rssMb: number;
  heapMb: number;
  ffmpegRssMb: number;
  ffmpegCount: number;
  sampled: number;
  inferred: number;
  dropped: number;
  passes: number;
  poolQueued: number;
  passQueueDepth: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const mx = mean(points.map((p) => p[0]));
  const my = mean(points.map((p) => p[1]));
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** RSS (MB) and count of this process's ffmpeg children, from /proc. */
function ffmpegChildren(): { rssMb: number; count: number } {
  let rssKb = 0;
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (!/^Name:\s+ffmpeg$/m.test(status) || Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
      count++;
      rssKb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    } catch { /* exited while we looked */ }
  }
  return { rssMb: rssKb / 1024, count };
}

const clip = await buildPresetClip('plates');
const mounts = Array.from({ length: CAMERAS }, (_, i) => `/cam${i + 1}`);
const server = await startRtspServer({ mounts, clipPath: clip });
const t = await startTestHub(DATABASE, {
  features: analyticsFeatures,
  overrides: { analytics: { sampleFps: SAMPLE_FPS, keepaliveSeconds: KEEPALIVE_S, passGapSeconds: 2 } },
});
const analytics = t.hub.services.analytics!;
const cameras = cameraRegistry(t);

async function snapshot(minute: number): Promise<Sample> {
  const stats: AnalyticsStatsSnapshot = await analytics.analyticsStats();
  const memory = process.memoryUsage();
  const ffmpeg = ffmpegChildren();
  const q = stats.passQueue;
  const { n } = await t.hub.ctx.db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return {
    minute, rssMb: memory.rss / MB, heapMb: memory.heapUsed / MB, ffmpegRssMb: ffmpeg.rssMb, ffmpegCount: ffmpeg.count,
    sampled: stats.totals.sampled, inferred: stats.totals.inferred, dropped: stats.totals.dropped, passes: Number(n),
    poolQueued: Number(stats.analyser.queued ?? 0), passQueueDepth: (q.waiting ?? 0) + (q.active ?? 0) + (q.delayed ?? 0),
  };
}

/** Samples every 10 s for `minutes`, printing one progress line per sample. */
async function samplePhase(name: string, minutes: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  const start = Date.now();
  for (;;) {
    const minute = (Date.now() - start) / 60_000;
    const s = await snapshot(minute);
    samples.push(s);
    console.log(`  [${name} ${(minute * 60).toFixed(0).padStart(4)}s] rss ${s.rssMb.toFixed(0)} MB, heap ${s.heapMb.toFixed(0)} MB, ffmpeg ${s.ffmpegCount}×=${s.ffmpegRssMb.toFixed(0)} MB, ` +
      `sampled ${s.sampled}, analysed ${s.inferred}, dropped ${s.dropped}, passes ${s.passes}, pool queue ${s.poolQueued}, pass queue ${s.passQueueDepth}`);
    if (minute >= minutes) return samples;
    await sleep(Math.min(SAMPLE_EVERY_MS, Math.max(0, start + minutes * 60_000 - Date.now())));
  }
}

let exitCode = 0;
try {
  const ids: string[] = [];
  for (const mount of mounts) {
    const camera = await cameras.create({ name: `Soak ${mount}`, departmentId: t.departments.traffic, category: 'traffic', streamUrl: server.urlFor(mount) });
    const zones = { zones: [{ id: 'road', name: 'Road', polygon: [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }], threshold: 0, durationSeconds: 0 }] };
    const put = await t.api(`/api/v1/analytics/cameras/${camera.id}/zones`, { method: 'PUT', body: zones, user: t.users.admin });
    if (put.status !== 200) throw new Error(`zones for ${mount}: ${put.status} ${JSON.stringify(put.body)}`);
    ids.push(camera.id);
  }
  console.log(`soak: ${CAMERAS} cameras ('plates' clip, 1080p25), sample ${SAMPLE_FPS} fps, keepalive ${KEEPALIVE_S} s, ${DATABASE}; ` +
    `baseline ${BASELINE_MINUTES} min idle, then ${MINUTES} min analysed; a line every ${SAMPLE_EVERY_MS / 1000} s`);
  const idle = await samplePhase('idle', BASELINE_MINUTES);

  for (const id of ids) {
    await cameras.update(id, { analyticsEnabled: true });
    await analytics.reconcile(id);
  }
  const loaded = await samplePhase('load', MINUTES);
  const first = loaded[0]!;
  const last = loaded[loaded.length - 1]!;
  const elapsedMinutes = last.minute - first.minute;

  for (const id of ids) {
    await cameras.update(id, { analyticsEnabled: false });
    await analytics.reconcile(id);
  }
  // Passes closed at stop go through the queue; count them once it is empty (bounded wait).
  let afterStop = await snapshot(NaN);
  for (const deadline = Date.now() + 30_000; afterStop.passQueueDepth > 0 && Date.now() < deadline; afterStop = await snapshot(NaN)) await sleep(250);

  const window = (samples: Sample[], from: number, to: number) => samples.filter((s) => s.minute >= from && s.minute <= to);
  const secondHalf = (samples: Sample[]) => window(samples, samples[samples.length - 1]!.minute / 2, Infinity);
  const growth = (samples: Sample[], key: 'rssMb' | 'heapMb') => slope(secondHalf(samples).map((s) => [s.minute, s[key]]));
  const lastMinute = (samples: Sample[]) => window(samples, samples[samples.length - 1]!.minute - 1, Infinity);
  const rows: Array<[string, string, string]> = [
    // (0, 1]: the sample taken as the cameras were switched on is the idle hub, not the first minute's load.
    ['rss_first_minute_avg_mb', mean(window(loaded, 1e-9, 1).map((s) => s.rssMb)).toFixed(0), mean(window(idle, 1e-9, 1).map((s) => s.rssMb)).toFixed(0)],
    ['rss_last_minute_avg_mb', mean(lastMinute(loaded).map((s) => s.rssMb)).toFixed(0), mean(lastMinute(idle).map((s) => s.rssMb)).toFixed(0)],
    ['rss_peak_mb', Math.max(...loaded.map((s) => s.rssMb)).toFixed(0), Math.max(...idle.map((s) => s.rssMb)).toFixed(0)],
    ['rss_growth_mb_per_min (2nd half, LSQ)', growth(loaded, 'rssMb').toFixed(2), growth(idle, 'rssMb').toFixed(2)],
    ['heap_growth_mb_per_min (2nd half, LSQ)', growth(loaded, 'heapMb').toFixed(2), growth(idle, 'heapMb').toFixed(2)],
    ['ffmpeg_rss_mb (last, all children)', last.ffmpegRssMb.toFixed(0), idle[idle.length - 1]!.ffmpegRssMb.toFixed(0)],
    ['ffmpeg_rss_growth_mb_per_min (2nd half)', slope(secondHalf(loaded).map((s) => [s.minute, s.ffmpegRssMb])).toFixed(2), '-'],
    ['frames_sampled', String(last.sampled), String(idle[idle.length - 1]!.sampled)],
    ['frames_analysed_per_s', (last.inferred / (elapsedMinutes * 60)).toFixed(2), '-'],
    ['frames_dropped (oldest first)', String(last.dropped), '-'],
    ['passes_stored', String(afterStop.passes), '-'],
    ['pool_queue_max / pass_queue_max', `${Math.max(...loaded.map((s) => s.poolQueued))} / ${Math.max(...loaded.map((s) => s.passQueueDepth))}`, '-'],
  ];
  console.log(`\nhub process = this process (node + inference worker threads); ffmpeg = its children; ${loaded.length} samples loaded, ${idle.length} idle`);
  console.log(['metric'.padEnd(42), 'soak'.padStart(10), 'idle hub'.padStart(10)].join(' '));
  for (const [metric, value, baseline] of rows) console.log([metric.padEnd(42), value.padStart(10), baseline.padStart(10)].join(' '));
  if (afterStop.ffmpegCount !== 0) {
    console.log(`ERROR: ${afterStop.ffmpegCount} ffmpeg children still running after analytics was switched off`);
    exitCode = 1;
  }
  if (last.inferred === 0 || afterStop.passes === 0) {
    console.log('ERROR: the pipeline analysed no frame or stored no pass; the figures above measure nothing');
    exitCode = 1;
  }
  console.log(
    `peak_rss_mb=${Math.max(...loaded.map((s) => s.rssMb)).toFixed(0)} rss_growth_mb_per_min=${growth(loaded, 'rssMb').toFixed(2)} ` +
      `frames_analysed=${last.inferred} frames_dropped=${last.dropped} passes=${afterStop.passes} minutes=${elapsedMinutes.toFixed(1)}`,
  );
} finally {
  await t.stop();
  await server.stop();
}
process.exit(exitCode);
