import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';
import { PassQueue, type PassSink } from '../../analytics/pipeline/pass-queue.ts';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { analyticsFeatures, cameraRegistry, waitFor } from './analytics-hub.ts';

const record = (id: string, cameraId: string, plate = '京A12345'): PassRecordInput => ({
  id, cameraId, passedAt: Date.now(), plate, plateColour: 'blue', plateConfidence: 0.9, charConfidences: [...plate].map(() => 0.9),
});

/** The durable pass path: BullMQ over the hub's Redis into the real checkpoint store. */
describeEachDatabase('analytics pass queue', (kind) => {
  let t: TestHub;
  let cameraId: string;
  let queue: PassQueue | undefined;
  const log = pino({ level: 'silent' });

  beforeAll(async () => {
    // Analytics off in the hub itself: the queue instances of these tests are the only consumers.
    t = await startTestHub(kind, { features: analyticsFeatures, overrides: { analytics: { enabled: false } } });
    cameraId = (await cameraRegistry(t).create({ name: 'Gate', departmentId: t.departments.traffic, category: 'traffic', streamUrl: 'rtsp://127.0.0.1:9/x' })).id;
  });
  afterAll(async () => {
    await queue?.close();
    await t?.stop();
  });

  const stored = (ids: string[]) => t.hub.ctx.db.selectFrom('checkpoint_passes').select('id').where('id', 'in', ids).execute();

  it('stores every pass once, however often it is queued', async () => {
    const checkpoint = t.hub.services.checkpoint!;
    queue = new PassQueue({ redis: t.hub.ctx.redis, batchSize: 10, lingerMs: 20, log });
    queue.startConsumer(checkpoint);
    const ids = Array.from({ length: 25 }, (_, i) => `test_once_${kind}_${i}`);
    for (const id of ids) await queue.enqueue(record(id, cameraId));
    for (const id of ids.slice(0, 10)) await queue.enqueue(record(id, cameraId)); // a replay after a crash
    expect(await queue.drain(20_000)).toBe(true);
    for (const id of ids.slice(0, 5)) await queue.enqueue(record(id, cameraId)); // and again after they completed
    expect(await queue.drain(20_000)).toBe(true);
    expect((await stored(ids)).length).toBe(25);
    await queue.close();
    queue = undefined;
  });

  it('retries a batch the database refused, and completes the job only once it is committed', async () => {
    const checkpoint = t.hub.services.checkpoint!;
    let failuresLeft = 2;
    // A store that fails twice (the database is down), then recovers: the only stand-in, to reach the error path.
    const flaky: PassSink = {
      ingestPasses: async (records) => {
        if (failuresLeft-- > 0) throw new HubError('DB_UNAVAILABLE', 'database down', 503);
        return checkpoint.ingestPasses(records);
      },
    };
    queue = new PassQueue({ redis: t.hub.ctx.redis, batchSize: 5, lingerMs: 20, log });
    queue.startConsumer(flaky);
    const ids = [`test_retry_${kind}_1`, `test_retry_${kind}_2`];
    for (const id of ids) await queue.enqueue(record(id, cameraId));
    await waitFor('the retried passes to be stored', async () => ((await stored(ids)).length === 2 ? true : undefined), 30_000, 100);
    expect(failuresLeft).toBeLessThan(0);
    expect(queue.stats().writeErrors).toBe(2);
    await queue.close();
    queue = undefined;
  });

  it('fails an invalid record alone and stores the rest of its batch', async () => {
    const checkpoint = t.hub.services.checkpoint!;
    queue = new PassQueue({ redis: t.hub.ctx.redis, batchSize: 10, lingerMs: 50, log });
    queue.startConsumer(checkpoint);
    const good = [`test_mixed_${kind}_1`, `test_mixed_${kind}_2`];
    await queue.enqueue(record(good[0], cameraId));
    await queue.enqueue(record(`test_mixed_${kind}_bad`, 'no-such-camera'));
    await queue.enqueue(record(good[1], cameraId));
    expect(await queue.drain(20_000)).toBe(true);
    expect((await stored(good)).length).toBe(2);
    expect(queue.stats().rejected).toBe(1);
    expect((await queue.counts()).failed).toBeGreaterThanOrEqual(1);
  });
});
