import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Hub } from '../../api/hub/hub.ts';
import type { FeatureName } from '../../api/hub/hub-services.ts';
import { PrivateRedisServer } from '../faults/private-redis-server.ts';
import { hubApi, startTestHub, type TestHub } from '../helpers/test-hub.ts';

export interface ClusterNodes {
  redis: PrivateRedisServer;
  /** nodes[0] made the database and its users; every node shares its database, Redis, secrets and users. */
  nodes: TestHub[];
  /** Stops one node (graceful), leaving the others running. */
  stopNode(index: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Several hub nodes in this process, each with its own HTTP port, data folder and node id, on one fresh
 * PostgreSQL database and one Redis of the test's own, with cluster.enabled: what N machines behind a load
 * balancer would run, minus the machines.
 */
export async function startClusterNodes(count: number, options: { overrides?: Record<string, unknown>; features?: readonly FeatureName[] } = {}): Promise<ClusterNodes> {
  const redis = await PrivateRedisServer.create();
  const nodes: TestHub[] = [];
  const extraDirs: string[] = [];
  const stopped = new Set<number>();
  const clusterOf = (i: number) => ({ enabled: true, nodeId: `node-${String.fromCharCode(97 + i)}`, leaseTtlMs: 2_000, heartbeatMs: 500 });
  try {
    const first = await startTestHub('postgres', {
      features: options.features,
      overrides: { ...options.overrides, redis: { url: redis.url }, cluster: clusterOf(0) },
    });
    nodes.push(first);
    for (let i = 1; i < count; i++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'hub-cluster-node-'));
      extraDirs.push(dataDir);
      const config = { ...first.hub.ctx.config, dataDir, cluster: { ...first.hub.ctx.config.cluster, ...clusterOf(i) } };
      const hub = await Hub.start({ config, features: options.features, logger: pino({ level: config.log.level }) });
      const url = hub.url;
      nodes.push({ ...first, hub, url, api: hubApi(url), stop: () => hub.stop() });
    }
  } catch (error) {
    for (const node of nodes.slice(1).reverse()) await node.hub.stop().catch(() => {});
    await nodes[0]?.stop().catch(() => {});
    for (const dir of extraDirs) rmSync(dir, { recursive: true, force: true });
    await redis.destroy();
    throw error;
  }
  const stopNode = async (index: number) => {
    if (stopped.has(index)) return;
    stopped.add(index);
    await nodes[index]!.hub.stop();
  };
  return {
    redis, nodes, stopNode,
    stop: async () => {
      // Extra nodes first: nodes[0].stop() also drops the database they use.
      for (let i = nodes.length - 1; i >= 1; i--) await stopNode(i).catch(() => {});
      if (!stopped.has(0)) await nodes[0]!.stop();
      for (const dir of extraDirs) rmSync(dir, { recursive: true, force: true });
      await redis.destroy();
    },
  };
}
