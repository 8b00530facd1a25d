import { parseArgs } from 'node:util';
import { DensityEstimator } from '../analytics/crowd/density-estimator.ts';
import { ObjectDetector } from '../analytics/detect/object-detector.ts';
import { ModelRegistry } from '../analytics/models/model-registry.ts';
import { loadImageFile, type RawImage } from '../analytics/models/raw-image.ts';
import { PLATE_READER_MODELS, PlateReader } from '../analytics/plates/plate-reader.ts';
import { InferencePool } from '../analytics/workers/inference-pool.ts';

/**
 * Analytics benchmark. Baselines are measured in the same run on the same machine:
 * - object detection: the pool (one ORT thread per worker) against one in-process detector with ORT's
 *   default threading, frames fed back-to-back;
 * - plates: one core (ORT intraOpNumThreads = 1) on the 1080p street photo (detect + refine + warp + read),
 *   against the same without corner refinement.
 * --minutes N adds a memory-flatness run that feeds the pool for N minutes and samples RSS (the pool only;
 * the whole-pipeline soak, ffmpeg to checkpoint store, is bench/pipeline-soak.ts, `npm run bench:soak`).
 */
const { values } = parseArgs({ options: { minutes: { type: 'string' }, frames: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('Usage: npm run bench:analytics -- [--frames N] [--minutes N]');
  process.exit(0);
}
const FRAMES = Number(values.frames ?? 300);
const MEDIA = new URL('../media/', import.meta.url);
const peakRss = { value: process.memoryUsage().rss };
const sampleRss = () => { peakRss.value = Math.max(peakRss.value, process.memoryUsage().rss); };

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const copy = (image: RawImage): RawImage => ({ ...image, data: Uint8Array.from(image.data) });

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times;
}

/** Keeps `inFlight` frames per camera outstanding, like a sampler honouring back-pressure. */
async function poolThroughput(pool: InferencePool, frame: RawImage, frames: number, cameras: number) {
  let started = 0;
  const t = performance.now();
  const perCamera = async (camera: number) => {
    while (started < frames) {
      started++;
      const outcome = await pool.submit(`cam-${camera}`, copy(frame), 'objects');
      if (outcome.status !== 'done') throw new Error(`pool frame ${outcome.status}`);
      sampleRss();
    }
  };
  await Promise.all(Array.from({ length: cameras }, (_, i) => perCamera(i)));
  return frames / ((performance.now() - t) / 1000);
}

const street = await loadImageFile(new URL('plates/green_suED51712_street.jpg', MEDIA).pathname);
const registry = ModelRegistry.open(['object-detector', ...PLATE_READER_MODELS]);

// Object detection, single in-process detector (baseline).
const detector = await ObjectDetector.create(registry);
await timeEach(5, () => detector.detect(street));
const singleTimes = await timeEach(Math.min(FRAMES, 100), () => detector.detect(street));
const singleFps = 1000 / (singleTimes.reduce((a, b) => a + b, 0) / singleTimes.length);
await detector.release();

// Plates on one core.
const reader = await PlateReader.create(registry, { intraOpThreads: 1 });
const plateCheck = await reader.readPlates(street);
if (plateCheck[0]?.plate !== '苏ED51712') throw new Error(`bench frame misread: ${JSON.stringify(plateCheck.map((p) => p.plate))}`);
await timeEach(5, () => reader.readPlates(street));
const plateTimes = await timeEach(60, () => reader.readPlates(street));
await reader.release();
const coarse = await PlateReader.create(registry, { intraOpThreads: 1, refineSmallPlates: false });
await timeEach(5, () => coarse.readPlates(street));
const coarseTimes = await timeEach(60, () => coarse.readPlates(street));
const coarseRead = (await coarse.readPlates(street))[0]?.plate ?? '';
await coarse.release();
// Far plates: a frame without any plate costs the 320 pass plus, with farPlates, a 640 pass.
const noPlate = await loadImageFile(new URL('scenes/street_dog_bicycle_car.jpg', MEDIA).pathname);
const fast = await PlateReader.create(registry, { intraOpThreads: 1 });
await timeEach(3, () => fast.readPlates(noPlate));
const noPlateFastTimes = await timeEach(30, () => fast.readPlates(noPlate));
await fast.release();
const farReader = await PlateReader.create(ModelRegistry.open([...PLATE_READER_MODELS, 'plate-detector-640']), { intraOpThreads: 1, farPlates: true });
await timeEach(3, () => farReader.readPlates(noPlate));
const noPlateFarTimes = await timeEach(30, () => farReader.readPlates(noPlate));
await farReader.release();

// Crowd density on the 1080p frame, one core, at the default long side (1024) and at 768 (the cheaper setting).
const densityRegistry = ModelRegistry.open(['crowd-density']);
const density = await DensityEstimator.create(densityRegistry, { intraOpThreads: 1 });
await timeEach(3, () => density.estimate(street));
const crowdTimes = await timeEach(30, () => density.estimate(street));
await density.release();
const density768 = await DensityEstimator.create(densityRegistry, { intraOpThreads: 1, longSide: 768 });
await timeEach(3, () => density768.estimate(street));
const crowd768Times = await timeEach(30, () => density768.estimate(street));
await density768.release();
const detOnly = await ObjectDetector.create(registry, { intraOpThreads: 1 });
const detTimes = await timeEach(60, () => detOnly.detect(street));
await detOnly.release();
const tiledDetector = await ObjectDetector.create(registry, { intraOpThreads: 1, tiles: 2 });
await timeEach(3, () => tiledDetector.detect(street));
const tiledTimes = await timeEach(20, () => tiledDetector.detect(street));
await tiledDetector.release();

// Object detection through the pool.
const pool = await InferencePool.start({ kinds: ['objects'], queueDepthPerCamera: 4 });
await poolThroughput(pool, street, 20, 4);
const poolFps = await poolThroughput(pool, street, FRAMES, 4);

// Overload: 8 cameras submitting without waiting, to show drop-oldest at work.
const burst = await Promise.all(Array.from({ length: 200 }, (_, i) => pool.submit(`burst-${i % 8}`, copy(street), 'objects')));
const dropped = burst.filter((o) => o.status === 'dropped').length;

const rssOverTime: string[] = [];
if (values.minutes) {
  const end = Date.now() + Number(values.minutes) * 60_000;
  let minute = 0;
  while (Date.now() < end) {
    await poolThroughput(pool, street, 200, 4);
    sampleRss();
    const elapsed = Math.floor((Date.now() - (end - Number(values.minutes) * 60_000)) / 60_000);
    if (elapsed > minute || Date.now() >= end) {
      minute = elapsed;
      rssOverTime.push(`${rssOverTime.length + 1}:${(process.memoryUsage().rss / 2 ** 20).toFixed(0)}MB`);
    }
  }
}
const stats = pool.stats();
await pool.close();
sampleRss();

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const rows: Array<[string, number, number, string]> = [
  ['detections_per_s (pool, 1 thread/worker)', poolFps, singleFps, 'in-process detector, ORT default threads'],
  ['det_ms_p50 (one core)', percentile(detTimes, 0.5), percentile(singleTimes, 0.5), 'ORT default threads'],
  ['plate_ms_p50 (one core, refine)', percentile(plateTimes, 0.5), percentile(coarseTimes, 0.5), `no refinement (reads "${coarseRead}")`],
  ['plate_ms_p95 (one core, refine)', percentile(plateTimes, 0.95), percentile(coarseTimes, 0.95), 'no refinement'],
  ['plate_ms_p50 frame without plate, farPlates', percentile(noPlateFarTimes, 0.5), percentile(noPlateFastTimes, 0.5), '320 detector only'],
  ['det_ms_p50 2x2 tiles + whole frame (one core)', percentile(tiledTimes, 0.5), percentile(detTimes, 0.5), 'whole frame only'],
  ['crowd_ms_p50 (density, 1080p, one core)', percentile(crowdTimes, 0.5), percentile(crowd768Times, 0.5), 'long side 768 instead of 1024'],
  ['crowd_ms_p50 vs detector (one core)', percentile(crowdTimes, 0.5), percentile(detTimes, 0.5), 'YOLOX-Nano person detector, 416 input'],
];
console.log(`machine: ${(await import('node:os')).availableParallelism()} cores, pool workers: ${stats.workers}, frame 1920x1080`);
console.log(['metric'.padEnd(44), 'value'.padStart(8), 'baseline'.padStart(9), 'ratio'.padStart(7), '  baseline is'].join(' '));
for (const [metric, value, baseline, what] of rows) {
  console.log([metric.padEnd(44), fmt(value).padStart(8), fmt(baseline).padStart(9), (value / baseline).toFixed(2).padStart(7), `  ${what}`].join(' '));
}
console.log(`overload: 200 frames from 8 cameras at once, queue depth 4: ${dropped} dropped (oldest first), by camera ${JSON.stringify(stats.droppedByCamera)}`);
if (rssOverTime.length) console.log(`rss over time (minute:rss): ${rssOverTime.join(' ')}`);
console.log(`peak_rss_mb=${(peakRss.value / 2 ** 20).toFixed(0)}`);
console.log(
  `det_ms_p50=${percentile(detTimes, 0.5).toFixed(1)} plate_ms_p50=${percentile(plateTimes, 0.5).toFixed(1)} ` +
    `detections_per_s=${poolFps.toFixed(1)} frames_dropped=${stats.dropped} crowd_ms_p50=${percentile(crowdTimes, 0.5).toFixed(1)}`,
);
