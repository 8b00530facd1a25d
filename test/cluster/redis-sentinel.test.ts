import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hub } from '../../api/hub/hub.ts';
import { PassQueue } from '../../analytics/pipeline/pass-queue.ts';
import { RedisConnections } from '../../api/kernel/redis/redis-connections.ts';
import { addCamera, pass } from '../checkpoint/checkpoint-fixtures.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { hubApi, startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';
import { SENTINEL_MASTER, SentinelRig } from './sentinel-rig.ts';

const FEATURES = ['auth', 'directory', 'access', 'audit', 'checkpoint'] as const;
const silent = { info() {}, warn() {}, error() {}, debug() {} };

/**
 * Redis behind Sentinel (issue 19, "Redis with Sentinel"): two hub nodes on one PostgreSQL and a Sentinel-
 * watched master + replica. What crosses Redis (cluster bus events, run-once job leases, BullMQ passes) works,
 * keeps working after a failover, forced (SENTINEL FAILOVER) and by kill -9 of the master, without restarting
 * either hub, and passes queued before the failover are stored after it. With redis.waitReplicas a pass is
 * acknowledged only once the replica has it (Redis WAIT): one acknowledged just before a kill -9 of the master
 * is stored, and one the replica cannot confirm is refused with REDIS_NOT_REPLICATED instead of acknowledged.
 */
describe.skipIf(skipPostgres)('cluster: Redis with Sentinel', () => {
  let rig: SentinelRig;
  let a: TestHub;
  let b: Hub;
  let bDir: string;
  let camera: string;

  /** Listens on B for camera.changed, emits it on A, waits for B to hear it. */
  async function busCrosses(): Promise<void> {
    const heard: string[] = [];
    const listener = (payload: { cameraId: string }) => { heard.push(payload.cameraId); };
    b.ctx.events.on('camera.changed', listener);
    try {
      a.hub.ctx.events.emit('camera.changed', { cameraId: camera, change: 'updated' });
      await until('B hears A over the bus', () => heard.includes(camera), 15_000);
    } finally {
      b.ctx.events.off('camera.changed', listener);
    }
  }

  /** A run-once job: exactly one of the two nodes runs it, the other is refused the lease. */
  async function jobRunsOnce(job: string): Promise<void> {
    const ran: string[] = [];
    const results = await Promise.all([a.hub, b].map((hub) => hub.membership.jobs.once(job, 60_000, async () => { ran.push(hub.membership.nodeId); return 1; })));
    expect(ran).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
  }

  /** Passes stored in the checkpoint table among `ids`. */
  async function stored(ids: string[]): Promise<number> {
    const rows = await a.hub.ctx.db.selectFrom('checkpoint_passes').select('id').where('id', 'in', ids).execute();
    return rows.length;
  }

  /** Every data node's writes so far are on the replica: a marker written after them, then WAIT 1 (one replication stream, in order). */
  async function replicated(): Promise<void> {
    const client = rig.direct(await until('a master', () => rig.master(), 30_000, 200));
    try {
      await client.connect();
      await client.set('test:marker', String(Date.now()));
      expect(await client.call('WAIT', '1', '10000')).toBe(1);
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    rig = await SentinelRig.start();
    const redis = { sentinels: rig.sentinels, sentinelMaster: SENTINEL_MASTER, password: rig.password, sentinelPassword: rig.sentinelPassword };
    a = await startTestHub('postgres', { features: FEATURES, overrides: { redis, cluster: { enabled: true, nodeId: 'node-a', leaseTtlMs: 3_000, heartbeatMs: 500 } } });
    bDir = mkdtempSync(join(tmpdir(), 'hub-sentinel-node-'));
    const config = { ...a.hub.ctx.config, dataDir: bDir, cluster: { ...a.hub.ctx.config.cluster, nodeId: 'node-b' } };
    b = await Hub.start({ config, features: FEATURES, logger: pino({ level: config.log.level }) });
    camera = await addCamera(a, a.departments.traffic);
  }, 180_000);

  afterAll(async () => {
    await b?.stop().catch(() => {});
    await a?.stop().catch(() => {});
    if (bDir) rmSync(bDir, { recursive: true, force: true });
    await rig?.destroy();
  });

  it('a config with sentinels reaches the master: readiness, the bus, job leases', async () => {
    expect(a.hub.ctx.redis.url).toBeUndefined();
    expect(a.hub.ctx.redis.describe()).toContain(`sentinel master "${SENTINEL_MASTER}"`);
    expect(a.hub.ctx.redis.describe()).not.toContain(rig.password);
    for (const url of [a.url, b.url]) {
      const ready = await hubApi(url)('/readyz');
      expect(ready.body.checks.find((c: { name: string }) => c.name === 'redis')).toMatchObject({ ok: true });
    }
    await busCrosses();
    await jobRunsOnce('sentinel-before');
  });

  it('SENTINEL FAILOVER: passes queued before it are stored after it; bus, leases and new passes work on the new master, no hub restarted', async () => {
    const queue = new PassQueue({ redis: a.hub.ctx.redis, batchSize: 10, lingerMs: 20, log: silent });
    try {
      const before = Array.from({ length: 20 }, (_, i) => pass(camera, `沪A${String(10_000 + i)}`, Date.now() - i * 1_000));
      for (const record of before) await queue.enqueue(record);
      await replicated();
      const oldMaster = await rig.master();
      const resyncs = b.membership.bus!.counts.resyncs;

      expect(await rig.ask(0, 'SENTINEL', 'FAILOVER', SENTINEL_MASTER)).toBe('OK');
      const newMaster = await until('the replica promoted and every sentinel agreeing', async () => { const m = await rig.master(); return m && m !== oldMaster ? m : 0; }, 60_000, 200);
      expect(newMaster).not.toBe(oldMaster);
      // The demoted master is a replica of the new one (its clients were cut by Sentinel).
      await until('old master demoted', async () => (await rig.role(oldMaster)) === 'slave', 30_000, 200);

      // Consumed only now, from the new master: what was acknowledged before the failover is all there.
      queue.startConsumer(a.hub.services.checkpoint!);
      await until('passes queued before the failover stored', async () => (await stored(before.map((p) => p.id))) === before.length, 60_000, 200);
      const after = Array.from({ length: 10 }, (_, i) => pass(camera, `沪B${String(20_000 + i)}`, Date.now() - i * 1_000));
      for (const record of after) await queue.enqueue(record);
      await until('passes queued after the failover stored', async () => (await stored(after.map((p) => p.id))) === after.length, 60_000, 200);

      await until('B\'s subscriber back on the new master', () => b.membership.bus!.counts.resyncs > resyncs, 30_000);
      await busCrosses();
      await jobRunsOnce('sentinel-after-failover');
      const ready = await hubApi(b.url)('/readyz');
      expect(ready.body.checks.find((c: { name: string }) => c.name === 'redis')).toMatchObject({ ok: true });
      expect(queue.stats()).toMatchObject({ stored: 30, rejected: 0 });
    } finally {
      await queue.close();
    }
  }, 240_000);

  it('redis.waitReplicas: a pass is not acknowledged (REDIS_NOT_REPLICATED, 503) while too few replicas confirm it', async () => {
    await rig.settled();
    const tooMany = RedisConnections.fromConfig({ ...a.hub.ctx.config.redis, waitReplicas: 2, waitTimeoutMs: 300 });
    const durable = RedisConnections.fromConfig({ ...a.hub.ctx.config.redis, waitReplicas: 1, waitTimeoutMs: 500 });
    const queues = [tooMany, durable].map((redis) => new PassQueue({ redis, batchSize: 10, lingerMs: 20, log: silent }));
    try {
      // Two asked, one replica there.
      const refused = await queues[0]!.enqueue(pass(camera, '沪W00001', Date.now())).then(() => undefined, (error: unknown) => error);
      expect(refused).toMatchObject({ code: 'REDIS_NOT_REPLICATED', status: 503, details: { asked: 2, confirmed: 1 } });
      // The one replica stalled: nothing confirms within the timeout.
      const [replica] = rig.others(await rig.master());
      await queues[1]!.enqueue(pass(camera, '沪W00002', Date.now()));
      rig.freeze(replica!, true);
      try {
        const stalled = await queues[1]!.enqueue(pass(camera, '沪W00003', Date.now())).then(() => undefined, (error: unknown) => error);
        expect(stalled).toMatchObject({ code: 'REDIS_NOT_REPLICATED', status: 503, details: { asked: 1, confirmed: 0 } });
      } finally {
        rig.freeze(replica!, false);
      }
      expect(queues[1]!.stats().enqueued).toBe(1);
    } finally {
      for (const queue of queues) await queue.close();
    }
  }, 120_000);

  it('kill -9 of the master right after the acknowledgement (waitReplicas 1): Sentinel promotes the replica, the hubs follow it, every acknowledged pass survives', async () => {
    await rig.settled();
    // Acknowledged only once the replica has it: no marker or extra WAIT before the crash.
    const durable = RedisConnections.fromConfig({ ...a.hub.ctx.config.redis, waitReplicas: 1, waitTimeoutMs: 5_000 });
    const queue = new PassQueue({ redis: durable, batchSize: 10, lingerMs: 20, log: silent });
    const plain = new PassQueue({ redis: a.hub.ctx.redis, batchSize: 10, lingerMs: 20, log: silent });
    try {
      const before = Array.from({ length: 20 }, (_, i) => pass(camera, `沪C${String(30_000 + i)}`, Date.now() - i * 1_000));
      const doomed = await rig.master();
      // Crashed the moment the last acknowledgement arrives. (On loopback the replica is seldom behind even
      // without the WAIT; that the acknowledgement waits for it is shown by the refusals in the test above.)
      for (const record of before) await queue.enqueue(record);
      rig.crash(doomed);
      const promoted = await until('a new master after the crash', async () => { const m = await rig.master(); return m && m !== doomed ? m : 0; }, 90_000, 250);
      expect(promoted).not.toBe(doomed);

      queue.startConsumer(a.hub.services.checkpoint!);
      await until('passes queued before the crash stored', async () => (await stored(before.map((p) => p.id))) === before.length, 90_000, 250);
      // No replica is left after the crash: waitReplicas 1 refuses, the hub's own queue (0) goes on.
      const orphan = await queue.enqueue(pass(camera, '沪W00004', Date.now())).then(() => undefined, (error: unknown) => error);
      expect(orphan).toMatchObject({ code: 'REDIS_NOT_REPLICATED', details: { asked: 1, confirmed: 0 } });
      const after = Array.from({ length: 10 }, (_, i) => pass(camera, `沪D${String(40_000 + i)}`, Date.now() - i * 1_000));
      for (const record of after) await plain.enqueue(record);
      await until('passes queued after the crash stored', async () => (await stored(after.map((p) => p.id))) === after.length, 60_000, 250);
      await busCrosses();
      for (const url of [a.url, b.url]) await until('readiness sees Redis again', async () => (await hubApi(url)('/readyz')).body.checks.find((c: { name: string }) => c.name === 'redis')?.ok, 30_000, 250);
      await jobRunsOnce('sentinel-after-crash');
    } finally {
      await queue.close();
      await plain.close();
    }
  }, 240_000);
});
