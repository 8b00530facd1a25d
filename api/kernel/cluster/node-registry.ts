import type { Redis } from 'ioredis';

/** What a node tells the others about itself with each heartbeat. */
export interface NodeInfo {
  id: string;
  /** Base URL other nodes reach it at (internal media hop). */
  url: string;
  /** Camera pulls it runs now. */
  load: number;
  /** How many pulls it may run (relay.maxStreams): its weight in placement. */
  capacity: number;
  startedAt: number;
  /** Its free capacity quantised with hysteresis (free-capacity-level.ts): placement's weight for idle cameras. */
  freeLevel?: number;
  /** The cameras it pulls now: placement leaves them on it. */
  pulling?: string[];
}

const NODES_SET = 'cluster:nodes';
const nodeKey = (id: string) => `cluster:node:${id}`;

/**
 * Live hub nodes, kept in Redis: each node writes `cluster:node:<id>` (its NodeInfo) with a TTL of
 * `leaseTtlMs` at every heartbeat and lists itself in `cluster:nodes`. A node whose key expired is gone:
 * Redis' own expiry decides, so no two clocks are compared.
 */
export class NodeRegistry {
  constructor(private readonly redis: Redis, private readonly ttlMs: number) {}

  async heartbeat(info: NodeInfo): Promise<void> {
    await this.redis.multi().set(nodeKey(info.id), JSON.stringify(info), 'PX', this.ttlMs).sadd(NODES_SET, info.id).exec();
  }

  /** Live nodes sorted by id; ids whose key expired are dropped from the set. */
  async liveNodes(): Promise<NodeInfo[]> {
    const ids = (await this.redis.smembers(NODES_SET)).sort();
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map(nodeKey));
    const live: NodeInfo[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const value = values[i];
      if (value) live.push(JSON.parse(value) as NodeInfo);
      else gone.push(id);
    });
    if (gone.length > 0) await this.redis.srem(NODES_SET, ...gone);
    return live;
  }

  async node(id: string): Promise<NodeInfo | undefined> {
    const value = await this.redis.get(nodeKey(id));
    return value ? JSON.parse(value) as NodeInfo : undefined;
  }

  /** A graceful leave: the others re-place this node's cameras at their next heartbeat instead of after the TTL. */
  async leave(id: string): Promise<void> {
    await this.redis.multi().del(nodeKey(id)).srem(NODES_SET, id).exec();
  }
}
