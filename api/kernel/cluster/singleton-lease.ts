import type { Redis } from 'ioredis';

/** A lease this node holds: its fencing token rises with every grant of the lease, cluster-wide. */
export interface HeldLease {
  readonly key: string;
  readonly fence: number;
  /** `<nodeId>:<fence>`: what the key holds while this node has it. */
  readonly value: string;
}

/** Extends the lease only if this node still holds it (same value). */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Keeps the key (so nobody else runs this period) for ARGV[2] ms, or drops it when that is not positive. */
const SETTLE = `if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(ARGV[2]) > 0 then return redis.call('pexpire', KEYS[1], ARGV[2]) else return redis.call('del', KEYS[1]) end`;

/**
 * One named lease in Redis: SET key value NX PX ttl, whose value carries a fencing token from INCR on
 * `<key>:fence`, so a holder that stalled past its TTL and comes back can be told apart from the new one
 * (its renewals and its settle are refused: they compare the value). A node that dies holding the lease
 * loses it after the TTL without anyone's help.
 */
export class SingletonLease {
  constructor(private readonly redis: Redis, readonly key: string, private readonly nodeId: string) {}

  /** The lease for ttlMs, or undefined when another node holds it. */
  async acquire(ttlMs: number): Promise<HeldLease | undefined> {
    if (await this.redis.exists(this.key)) return undefined;
    const fence = await this.redis.incr(`${this.key}:fence`);
    const value = `${this.nodeId}:${fence}`;
    const taken = await this.redis.set(this.key, value, 'PX', ttlMs, 'NX');
    return taken === 'OK' ? { key: this.key, fence, value } : undefined;
  }

  /** False when the lease was lost (expired, or taken by another node since). */
  async renew(lease: HeldLease, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, lease.key, lease.value, String(ttlMs))) === 1;
  }

  /** Done: hold the key `keepMs` more (no other node starts this period's run), or free it now. */
  async settle(lease: HeldLease, keepMs: number): Promise<void> {
    await this.redis.eval(SETTLE, 1, lease.key, lease.value, String(Math.floor(keepMs)));
  }

  /** Who holds it now (`<nodeId>:<fence>`), for tests and logs. */
  holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}
