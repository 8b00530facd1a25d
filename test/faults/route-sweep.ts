import type { RouteTableEntry } from '../../api/kernel/http/route-access.ts';

export interface SweepIds {
  cameraId: string;
  passId: string;
  departmentId: string;
}

/** A concrete path for a route pattern: camera, pass and department ids where the route names them. */
export function fillRoute(route: RouteTableEntry, ids: SweepIds): string {
  return route.url
    .replace(/^\/api\/v1\/checkpoint\/passes\/:id/, `/api/v1/checkpoint/passes/${encodeURIComponent(ids.passId)}`)
    .replace(':cameraId', ids.cameraId)
    .replace(':departmentId', ids.departmentId)
    .replace(/\/cameras\/:id/, `/cameras/${ids.cameraId}`)
    .replace(/:(\w+)/g, 'x1')
    .replace('*', 'index.html');
}

export const isStream = (url: string) => url.endsWith('/stream') || url.endsWith('.flv');

export interface Fetched {
  status: number;
  text: string;
}

/** One request, bounded: streams (SSE, FLV) are read for their first chunk only, then cut. */
export async function fetchBounded(url: string, init: { method: string; token?: string; body?: unknown }, stream: boolean): Promise<Fetched> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), stream ? 2_000 : 20_000);
  try {
    const headers: Record<string, string> = {};
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url, { method: init.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: controller.signal });
    if (!stream || !res.body) return { status: res.status, text: await res.text() };
    const reader = res.body.getReader();
    const first = await reader.read().catch(() => ({ value: undefined }));
    controller.abort();
    return { status: res.status, text: first.value ? Buffer.from(first.value).toString('utf8') : '' };
  } finally {
    clearTimeout(timer);
  }
}

/** Every stored value in a Redis: strings, hashes, lists, sets, sorted sets, streams (BullMQ job data lives in hashes). */
export async function redisDump(redisUrl: string): Promise<{ keys: number; text: string }> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const parts: string[] = [];
  let keys = 0;
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', '500');
      cursor = next;
      for (const key of batch) {
        keys++;
        const type = await redis.type(key);
        parts.push(key);
        if (type === 'string') parts.push(String(await redis.get(key)));
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
        else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return { keys, text: parts.join('\n') };
}
