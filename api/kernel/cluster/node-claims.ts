import type { Redis } from 'ioredis';

const claimKey = (key: string) => `cluster:claim:${key}`;

// KEYS: claim keys; ARGV[1] ttl, ARGV[2] node id. Takes a claim: a newer registration wins.
const CLAIM = `
for _, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[2], 'PX', ARGV[1])
end
return #KEYS`;

// KEYS: claim keys; ARGV[1] ttl, ARGV[2] node id. Renews claims still ours (or lapsed while Redis was
// away); a claim another node took since is not touched. Returns 1/0 per key.
const RENEW = `
local out = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[2] or holder == false then
    redis.call('SET', key, ARGV[2], 'PX', ARGV[1])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`;

// KEYS[1] claim key; ARGV[1] the node id it must hold.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Things that live on one node because of where a peer connected, not where placement would put them: a
 * GB/T 28181 device's SIP registration is held by the node it registered to, and only that node can INVITE
 * its channels. Each claim is `cluster:claim:<key>` = node id with the lease TTL, renewed every heartbeat;
 * the last node a peer registered with wins (the device moved), and a dead node's claims expire with it.
 */
export class NodeClaims {
  private readonly held = new Set<string>();

  constructor(private readonly redis: Redis, private readonly nodeId: string, private readonly ttlMs: number) {}

  async claim(key: string): Promise<void> {
    this.held.add(key);
    await this.redis.eval(CLAIM, 1, claimKey(key), this.ttlMs, this.nodeId);
  }

  async release(key: string): Promise<void> {
    if (!this.held.delete(key)) return;
    await this.redis.eval(RELEASE, 1, claimKey(key), this.nodeId);
  }

  /** Renews the claims this node holds (each heartbeat); a claim another node took since is forgotten here. */
  async renew(): Promise<void> {
    const keys = [...this.held];
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const kept = await this.redis.eval(RENEW, batch.length, ...batch.map(claimKey), this.ttlMs, this.nodeId) as number[];
      batch.forEach((key, j) => { if (kept[j] !== 1) this.held.delete(key); });
    }
  }

  /** The node holding each key now (keys nobody holds are left out). */
  async holders(keys: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const values = await this.redis.mget(...batch.map(claimKey));
      batch.forEach((key, j) => { if (values[j]) out.set(key, values[j]!); });
    }
    return out;
  }

  /** Graceful leave: the claims go at once (the peers register elsewhere). */
  async releaseAll(): Promise<void> {
    for (const key of [...this.held]) await this.release(key).catch(() => {});
  }
}
