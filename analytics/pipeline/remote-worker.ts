import { availableParallelism } from 'node:os';
import { Worker } from 'bullmq';
import { QUEUES, queueKey } from '../../api/kernel/redis/queue-catalogue.ts';
import { redisConfigFromEnv } from '../../api/kernel/redis/redis-config.ts';
import { RedisConnections } from '../../api/kernel/redis/redis-connections.ts';
import { decodeImage } from '../models/raw-image.ts';
import { InferencePool } from '../workers/inference-pool.ts';
import { densityToJson, type RemoteFrameJob, type RemoteFrameResult } from './remote-frames.ts';

/**
 * A remote analytics worker: any machine that can reach the hub's Redis runs
 *   HUB_REDIS_URL=redis://hub:6379 npm run worker -- [--threads N]
 * (or, behind Sentinel, HUB_REDIS_SENTINELS=h1:26379,h2:26379 HUB_REDIS_SENTINEL_MASTER=mymaster and the
 * HUB_REDIS_PASSWORD / HUB_REDIS_SENTINEL_PASSWORD the hub has) and takes frames from the analytics:frames queue. Several such workers share the queue; a worker that
 * dies mid-frame leaves the job to BullMQ's stalled-job recovery (another worker retries it).
 */
export async function startRemoteWorker(options: { redis: RedisConnections; threads?: number; modelsDir?: string; density?: { model: string; longSide: number }; farPlates?: boolean; detectorTiles?: number }): Promise<{ close(): Promise<void> }> {
  const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
  const pool = await InferencePool.start({ size: threads, queueDepthPerCamera: 1_000, kinds: ['all'], modelsDir: options.modelsDir, density: options.density, farPlates: options.farPlates ?? true, detectorTiles: options.detectorTiles });
  const worker = new Worker<RemoteFrameJob, RemoteFrameResult>(QUEUES.frames.name, async (job) => {
    const image = await decodeImage(Buffer.from(job.data.jpeg, 'base64'));
    const outcome = await pool.submit(job.data.cameraId, image, 'all', { density: job.data.density === true });
    if (outcome.status === 'done') {
      const { objects = [], plates = [], density, workerMs } = outcome.result;
      return { objects, plates, workerMs, density: density ? densityToJson(density) : undefined };
    }
    throw outcome.status === 'failed' ? outcome.error : new Error('frame dropped by the local pool');
  }, {
    prefix: QUEUES.frames.prefix, connection: options.redis.bullmq('hub-frames-worker'), concurrency: threads,
    // A frame takes tens of milliseconds: a 10 s lock (renewed every 5 s) and a 5 s stalled check let another
    // worker take over a dead worker's frames within ~15 s instead of BullMQ's default ~60 s.
    lockDuration: 10_000, stalledInterval: 5_000,
  });
  return {
    close: async () => {
      await worker.close();
      await pool.close();
    },
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''));
if (isMain) {
  let redis: RedisConnections;
  try {
    const config = redisConfigFromEnv(process.env);
    if (!config.url && config.sentinels.length === 0) throw new Error('set HUB_REDIS_URL to the hub\'s Redis (redis://host:port), or HUB_REDIS_SENTINELS and HUB_REDIS_SENTINEL_MASTER');
    redis = RedisConnections.fromConfig(config);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  const threadsArg = process.argv.indexOf('--threads');
  const threads = threadsArg > 0 ? Number(process.argv[threadsArg + 1]) : undefined;
  // The same names as the hub's settings, so one environment file serves both.
  const density = { model: process.env.HUB_ANALYTICS_CROWD_DENSITY_MODEL ?? 'crowd-density', longSide: Number(process.env.HUB_ANALYTICS_CROWD_DENSITY_LONG_SIDE ?? 1024) };
  const running = await startRemoteWorker({ redis, threads, density, farPlates: process.env.HUB_ANALYTICS_FAR_PLATES !== 'false', detectorTiles: Number(process.env.HUB_ANALYTICS_DETECTOR_TILES ?? 1) });
  process.stdout.write(`${JSON.stringify({ ready: true, queue: queueKey(QUEUES.frames) })}\n`);
  const shutdown = () => { void running.close().then(() => process.exit(0)); };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
