import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterJobs } from '../../api/kernel/cluster/cluster-jobs.ts';
import { SingletonLease } from '../../api/kernel/cluster/singleton-lease.ts';
import { PrivateRedisServer } from '../faults/private-redis-server.ts';
import { RedisConnections } from '../../api/kernel/redis/redis-connections.ts';

const quiet = { warn() {}, info() {} };

/** The fenced lease under the cluster's background jobs, on a real redis-server of the test's own. */
describe('singleton lease', () => {
  let server: PrivateRedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await PrivateRedisServer.create();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.destroy();
  });

  it('one holder at a time; a holder that stalled past its TTL can neither renew nor free the next holder\'s lease', async () => {
    const stalled = new SingletonLease(redis, 'hub:job:t1', 'node-a');
    const next = new SingletonLease(redis, 'hub:job:t1', 'node-b');
    const first = (await stalled.acquire(300))!;
    expect(first).toBeDefined();
    expect(await next.acquire(300)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 450));
    const second = (await next.acquire(5_000))!;
    expect(second.fence).toBeGreaterThan(first.fence);
    expect(await stalled.renew(first, 5_000)).toBe(false);
    await stalled.settle(first, 0);
    expect(await next.holder()).toBe(`node-b:${second.fence}`);
    await next.settle(second, 0);
    expect(await next.holder()).toBeNull();
  });

  it('a run that loses its lease mid-run is told through its signal, and counted', async () => {
    const jobs = new ClusterJobs({ enabled: true, nodeId: 'node-a', redis: RedisConnections.fromUrl(server.url), leaseTtlMs: 1_000, heartbeatMs: 100, log: quiet });
    try {
      const aborted = await jobs.once('t2', 10_000, async ({ signal }) => {
        // Another party takes the key away (as an expiry followed by another node's SET would).
        await redis.set('hub:job:t2', 'node-b:999');
        await new Promise((r) => setTimeout(r, 400));
        return signal.aborted;
      });
      expect(aborted).toBe(true);
      expect(jobs.stats('t2')).toEqual({ runs: 1, skipped: 0, lost: 1 });
      expect(await redis.get('hub:job:t2')).toBe('node-b:999');
    } finally {
      await jobs.stop();
    }
  });

  it('alone (cluster off) a job simply runs, every time', async () => {
    const jobs = new ClusterJobs({ enabled: false, nodeId: 'solo', redis: RedisConnections.fromUrl('redis://127.0.0.1:1'), leaseTtlMs: 1_000, heartbeatMs: 100, log: quiet });
    expect(await jobs.once('t3', 60_000, async () => 1)).toBe(1);
    expect(await jobs.once('t3', 60_000, async () => 2)).toBe(2);
    expect(jobs.stats('t3')).toEqual({ runs: 2, skipped: 0, lost: 0 });
  });
});
