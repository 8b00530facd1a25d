import { afterEach, describe, expect, it } from 'vitest';
import { ObjectDetector } from '../../analytics/detect/object-detector.ts';
import { ModelRegistry } from '../../analytics/models/model-registry.ts';
import { loadImageFile } from '../../analytics/models/raw-image.ts';
import { InferencePool } from '../../analytics/workers/inference-pool.ts';

const SCRIPTED = new URL('./fixtures/scripted-worker.ts', import.meta.url);
let pool: InferencePool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

function frame(bytes: number[], shared = false) {
  const data = shared ? new Uint8Array(new SharedArrayBuffer(16)) : new Uint8Array(16);
  data.set(bytes);
  return { data, width: 4, height: 4, channels: 1 };
}

async function scriptedPool(size: number, queueDepthPerCamera = 4) {
  const crashCounter = new SharedArrayBuffer(4);
  pool = await InferencePool.start({ size, queueDepthPerCamera, workerScript: SCRIPTED, workerExtra: { crashCounter } });
  return pool;
}

describe('inference pool', () => {
  it('runs the real models in a worker and matches the in-process detector', async () => {
    const image = await loadImageFile(new URL('../../media/scenes/street_dog_bicycle_car.jpg', import.meta.url).pathname);
    const detector = await ObjectDetector.create(ModelRegistry.open(['object-detector']), { intraOpThreads: 1 });
    const expected = await detector.detect(image);
    await detector.release();
    pool = await InferencePool.start({ size: 1, kinds: ['objects'] });
    const outcome = await pool.submit('cam-a', { ...image, data: Uint8Array.from(image.data) }, 'objects');
    expect(outcome.status).toBe('done');
    if (outcome.status !== 'done') return;
    expect(outcome.result.objects!.map((o) => o.className).sort()).toEqual(expected.map((o) => o.className).sort());
    expect(outcome.result.objects![0].score).toBeCloseTo(expected[0].score, 4);
  });

  it('transfers a standalone frame buffer instead of copying it', async () => {
    await scriptedPool(1);
    const f = frame([0, 0]);
    const outcome = pool!.submit('cam-a', f);
    expect(f.data.byteLength).toBe(0); // detached: the bytes moved to the worker
    expect((await outcome).status).toBe('done');
  });

  it('drops the oldest frame of a full camera queue and counts the drops per camera', async () => {
    await scriptedPool(1, 2);
    const busy = pool!.submit('cam-a', frame([0, 20])); // occupies the only worker for 200 ms
    const a = [1, 2, 3, 4].map(() => pool!.submit('cam-a', frame([0, 0])));
    const b = pool!.submit('cam-b', frame([0, 0]));
    const outcomes = await Promise.all([busy, ...a, b]);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'dropped', 'dropped', 'done', 'done', 'done']);
    expect(pool!.stats()).toMatchObject({ dropped: 2, droppedByCamera: { 'cam-a': 2 }, completed: 4, submitted: 6 });
  });

  it('replaces a crashed worker and retries a shared frame once', async () => {
    await scriptedPool(1);
    const outcome = await pool!.submit('cam-a', frame([2], true));
    expect(outcome).toMatchObject({ status: 'done', attempts: 2 });
    expect(pool!.stats()).toMatchObject({ workerCrashes: 1, retried: 1, workers: 1 });
    expect((await pool!.submit('cam-a', frame([0, 0]))).status).toBe('done'); // the replacement works
  });

  it('reports a frame that crashes its worker twice as failed, never silently', async () => {
    await scriptedPool(2);
    const outcome = await pool!.submit('cam-a', frame([1], true));
    expect(outcome.status).toBe('failed');
    if (outcome.status === 'failed') expect(outcome.error.code).toBe('WORKER_CRASHED');
    expect(pool!.stats()).toMatchObject({ workerCrashes: 2, failed: 1 });
  });

  it('reports a transferred frame lost in a crash as failed, and a task error with its code', async () => {
    await scriptedPool(1);
    const crashed = await pool!.submit('cam-a', frame([1]));
    expect(crashed).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'WORKER_CRASHED' } });
    const errored = await pool!.submit('cam-a', frame([3]));
    expect(errored).toMatchObject({ status: 'failed', error: { code: 'SCRIPTED' } });
  });

  it('fails queued frames on close', async () => {
    await scriptedPool(1);
    const running = pool!.submit('cam-a', frame([0, 50]));
    const queued = pool!.submit('cam-a', frame([0, 0]));
    await pool!.close();
    expect(await queued).toMatchObject({ status: 'failed', error: { code: 'POOL_CLOSED' } });
    expect(await running).toMatchObject({ status: 'failed', error: { code: 'POOL_CLOSED' } });
    pool = undefined;
  });
});
