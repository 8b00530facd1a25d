import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { decodeImage } from '../../analytics/models/raw-image.ts';
import { PassQueue } from '../../analytics/pipeline/pass-queue.ts';
import { RemoteAnalyser } from '../../analytics/pipeline/remote-analyser.ts';
import { QUEUES } from '../../api/kernel/redis/queue-catalogue.ts';
import { MEDIA_DIR } from '../../devtools/sim/test-clip.ts';
import { addCamera } from '../checkpoint/checkpoint-fixtures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { analyticsFeatures } from '../pipeline/analytics-hub.ts';
import { recordFault } from './fault-table.ts';
import { isAlive } from './hub-process.ts';
import { PrivateRedisServer } from './private-redis-server.ts';
import { RedisConnections } from '../../api/kernel/redis/redis-connections.ts';

/** Frames per database: the 1,000 (minutes of inference on 2 cores); HUB_FAULTS_QUICK=1 for 120 while developing. */
const FRAMES = Number(process.env.HUB_FAULTS_FRAMES ?? (process.env.HUB_FAULTS_QUICK === '1' ? 120 : 1_000));
const silentLog = { info() {}, warn() {}, error() {}, debug() {} };

function startWorker(redisUrl: string): ChildProcess {
  return spawn('node', ['--import', 'tsx', 'analytics/pipeline/remote-worker.ts', '--threads', '1'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HUB_REDIS_URL: redisUrl }, stdio: 'ignore',
  });
}

/**
 * kill -9 an inference worker (a remote worker process on the analytics:frames queue) while the frames
 * are queued: a second worker takes over (BullMQ stalled-job recovery), every frame gets exactly one
 * outcome, and every pass read from them is stored exactly once through the durable pass queue.
 */
describeEachDatabase(`kill -9 an inference worker with ${FRAMES} frames queued`, (kind) => {
  let redis: PrivateRedisServer;
  let t: TestHub;
  const workers: ChildProcess[] = [];
  let analyser: RemoteAnalyser | undefined;
  let passes: PassQueue | undefined;
  let events: QueueEvents | undefined;

  beforeAll(async () => {
    redis = await PrivateRedisServer.create();
    t = await startTestHub(kind, { features: analyticsFeatures, overrides: { redis: { url: redis.url }, analytics: { workers: 0, remoteFrames: true } } });
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.pid && isAlive(worker.pid)) worker.kill('SIGKILL');
    await events?.close();
    await analyser?.close();
    await passes?.close();
    await t?.stop();
    await redis?.destroy();
  });

  it('every queued frame is analysed and its pass stored exactly once', async () => {
    const cameraId = await addCamera(t, t.departments.traffic);
    const frame = await decodeImage(await readFile(join(MEDIA_DIR, 'plates/green_suED51712_street.jpg')));
    // The hub's own classes: frames out through RemoteAnalyser, passes through the durable PassQueue.
    analyser = new RemoteAnalyser({ redis: RedisConnections.fromUrl(redis.url), queueDepthPerCamera: FRAMES, resultTimeoutMs: 600_000, jpegQuality: 85, log: silentLog });
    passes = new PassQueue({ redis: RedisConnections.fromUrl(redis.url), batchSize: 50, lingerMs: 50, log: silentLog });
    events = new QueueEvents(QUEUES.frames.name, { prefix: QUEUES.frames.prefix, connection: { url: redis.url } });
    const completions = new Map<string, number>();
    events.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));
    await events.waitUntilReady();

    let outcomes = 0;
    const runId = `wk${kind}${Date.now()}`;
    const all = Array.from({ length: FRAMES }, (_, i) => analyser!.analyse(cameraId, frame).then(async (outcome) => {
      outcomes++;
      if (outcome.status !== 'done' || outcome.plates.length === 0) return outcome.status;
      const plate = outcome.plates[0];
      await passes!.enqueue({ id: `fault-${runId}-${i}`, cameraId, passedAt: 1_700_000_000_000 + i, plate: plate.plate, plateColour: 'green', plateConfidence: Math.min(1, plate.confidence), charConfidences: plate.charConfidences.slice(0, 16).map((c) => Math.min(1, c)) });
      return 'stored';
    }));

    const first = startWorker(redis.url);
    workers.push(first);
    const until = async (check: () => boolean, ms: number, what: string) => {
      const deadline = Date.now() + ms;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => outcomes >= Math.ceil(FRAMES / 5), 300_000, 'the first worker analysing');
    first.kill('SIGKILL');
    const killedAt = Date.now();
    const doneAtKill = outcomes;
    workers.push(startWorker(redis.url));
    const results = await Promise.all(all);
    const recoverySeconds = (Date.now() - killedAt) / 1_000;

    const expected = results.filter((r) => r === 'stored').length;
    let rows: Array<{ id: string }> = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      rows = await t.hub.ctx.db.selectFrom('checkpoint_passes').select('id').where('id', 'like', `fault-${runId}-%`).execute();
      if (rows.length >= expected) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const reanalysed = [...completions.values()].filter((n) => n > 1).length;
    recordFault({ fault: `kill -9 inference worker, ${FRAMES} frames queued [${kind}]`, expected: FRAMES, found: rows.length, duplicates: rows.length - new Set(rows.map((r) => r.id)).size, recoverySeconds, note: `${doneAtKill} analysed before the kill; outcomes ${JSON.stringify(countBy(results))}; ${reanalysed} frames analysed twice (deduplicated)` });
    expect(countBy(results)).toEqual({ stored: FRAMES });
    expect(rows.length).toBe(FRAMES);
    expect(new Set(rows.map((r) => r.id)).size).toBe(FRAMES);
  }, 900_000);
});

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
