import type { Redis } from 'ioredis';

/** Who holds a camera's lease: the node and the fencing token it got when it took it. */
export interface LeaseHolder {
  nodeId: string;
  fence: number;
}

const ownerKey = (cameraId: string) => `cluster:camera:${cameraId}:owner`;
const fenceKey = (cameraId: string) => `cluster:camera:${cameraId}:fence`;

// KEYS: owner keys; ARGV[1] ttl, ARGV[2..] the values each must still hold. Returns 1/0 per key.
const RENEW = `
local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[i + 1] then
    redis.call('PEXPIRE', key, ARGV[1])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`;

// KEYS[1] owner key; ARGV[1] the value it must hold.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

// KEYS[1] owner key, KEYS[2] fence counter; ARGV[1] node id, ARGV[2] ttl. The fence only moves on when the lease is taken.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '/' .. fence, 'PX', ARGV[2])
return fence`;

const parseHolder = (value: string | null): LeaseHolder | undefined => {
  if (!value) return undefined;
  const at = value.lastIndexOf('/');
  return { nodeId: value.slice(0, at), fence: Number(value.slice(at + 1)) };
};

/**
 * One lease per camera in Redis: `cluster:camera:<id>:owner` = `<nodeId>/<fence>` with a TTL. Taking a
 * free lease increments `cluster:camera:<id>:fence` (a fencing token that only grows), so a node that was
 * paused past its TTL and comes back holds an older fence than the new owner and its renewal fails. Only
 * the holder of the exact value renews or releases (compare-and-set in Lua).
 */
export class CameraLeases {
  constructor(private readonly redis: Redis, private readonly nodeId: string, private readonly ttlMs: number) {}

  /** Takes a free lease; its fence, or undefined when another node holds it. */
  async acquire(cameraId: string): Promise<number | undefined> {
    const fence = await this.redis.eval(ACQUIRE, 2, ownerKey(cameraId), fenceKey(cameraId), this.nodeId, this.ttlMs) as number;
    return fence > 0 ? fence : undefined;
  }

  /** Renews the leases held with these fences; returns the cameras whose lease is no longer ours. */
  async renew(held: Map<string, number>): Promise<string[]> {
    const ids = [...held.keys()];
    if (ids.length === 0) return [];
    const lost: string[] = [];
    // Chunks keep one script's run short on a Redis shared with the queues.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const result = await this.redis.eval(RENEW, chunk.length, ...chunk.map(ownerKey), this.ttlMs, ...chunk.map((id) => `${this.nodeId}/${held.get(id)}`)) as number[];
      chunk.forEach((id, j) => { if (result[j] !== 1) lost.push(id); });
    }
    return lost;
  }

  async release(cameraId: string, fence: number): Promise<void> {
    await this.redis.eval(RELEASE, 1, ownerKey(cameraId), `${this.nodeId}/${fence}`);
  }

  async holder(cameraId: string): Promise<LeaseHolder | undefined> {
    return parseHolder(await this.redis.get(ownerKey(cameraId)));
  }

  async holders(cameraIds: string[]): Promise<Map<string, LeaseHolder>> {
    const out = new Map<string, LeaseHolder>();
    for (let i = 0; i < cameraIds.length; i += 1_000) {
      const chunk = cameraIds.slice(i, i + 1_000);
      const values = await this.redis.mget(chunk.map(ownerKey));
      chunk.forEach((id, j) => { const holder = parseHolder(values[j] ?? null); if (holder) out.set(id, holder); });
    }
    return out;
  }
}
