import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraLeases } from '../../api/kernel/cluster/camera-leases.ts';
import { ClusterHop } from '../../api/kernel/cluster/cluster-hop.ts';
import { NodeRegistry } from '../../api/kernel/cluster/node-registry.ts';
import { placeCameras } from '../../api/kernel/cluster/placement.ts';
import { PrivateRedisServer } from '../faults/private-redis-server.ts';

const cameras = Array.from({ length: 300 }, (_, i) => `cam-${i}`);
const counts = (placed: Map<string, string>) => {
  const out = new Map<string, number>();
  for (const node of placed.values()) out.set(node, (out.get(node) ?? 0) + 1);
  return out;
};

describe('camera leases, node registry and placement (real redis-server)', () => {
  let server: PrivateRedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await PrivateRedisServer.create();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.destroy();
  });

  it('one holder per camera; the fence grows with each take-over; only the holder renews or releases', async () => {
    const a = new CameraLeases(redis, 'node-a', 400);
    const b = new CameraLeases(redis, 'node-b', 400);
    const fenceA = await a.acquire('cam-x');
    expect(fenceA).toBeGreaterThan(0);
    expect(await b.acquire('cam-x')).toBeUndefined();
    expect(await a.holder('cam-x')).toEqual({ nodeId: 'node-a', fence: fenceA });
    // b cannot release or renew a's lease.
    await b.release('cam-x', fenceA!);
    expect(await b.renew(new Map([['cam-x', fenceA!]]))).toEqual(['cam-x']);
    expect(await a.renew(new Map([['cam-x', fenceA!]]))).toEqual([]);
    // a stops renewing (killed): the lease expires and b takes it with a higher fence.
    await new Promise((r) => setTimeout(r, 500));
    const fenceB = await b.acquire('cam-x');
    expect(fenceB).toBe(fenceA! + 1);
    // a comes back from a pause: its renewal with the old fence fails, so it stops its pull.
    expect(await a.renew(new Map([['cam-x', fenceA!]]))).toEqual(['cam-x']);
    expect((await b.holders(['cam-x', 'cam-none'])).get('cam-x')).toEqual({ nodeId: 'node-b', fence: fenceB });
    await b.release('cam-x', fenceB!);
    expect(await b.holder('cam-x')).toBeUndefined();
  });

  it('nodes are live while they beat; a silent node drops out after the TTL', async () => {
    const registry = new NodeRegistry(redis, 300);
    await registry.heartbeat({ id: 'n1', url: 'http://127.0.0.1:1', load: 3, capacity: 200, startedAt: 1 });
    await registry.heartbeat({ id: 'n2', url: 'http://127.0.0.1:2', load: 0, capacity: 200, startedAt: 2 });
    expect((await registry.liveNodes()).map((n) => n.id)).toEqual(['n1', 'n2']);
    await new Promise((r) => setTimeout(r, 200));
    await registry.heartbeat({ id: 'n1', url: 'http://127.0.0.1:1', load: 4, capacity: 200, startedAt: 1 });
    await new Promise((r) => setTimeout(r, 200));
    const live = await registry.liveNodes();
    expect(live.map((n) => n.id)).toEqual(['n1']);
    expect(live[0]!.load).toBe(4);
    await registry.leave('n1');
    expect(await registry.liveNodes()).toEqual([]);
  });

  it('placement is balanced, the same on every node, and moves only the leaving node\'s share', () => {
    const three = [{ id: 'a', capacity: 200 }, { id: 'b', capacity: 200 }, { id: 'c', capacity: 200 }];
    const placed = placeCameras(cameras, three);
    expect(placeCameras([...cameras].reverse(), [...three].reverse())).toEqual(placed);
    for (const n of counts(placed).values()) expect(n).toBeLessThanOrEqual(Math.ceil(300 / 3 * 1.15));
    const withoutC = placeCameras(cameras, three.slice(0, 2));
    const moved = cameras.filter((id) => placed.get(id) !== 'c' && withoutC.get(id) !== placed.get(id));
    // Cameras of a and b stay, bar the few the load bound shifts.
    expect(moved.length).toBeLessThan(30);
    // A node with half the capacity gets about half the share.
    const weighted = counts(placeCameras(cameras, [{ id: 'big', capacity: 200 }, { id: 'small', capacity: 100 }]));
    expect(weighted.get('small')!).toBeGreaterThan(80);
    expect(weighted.get('small')!).toBeLessThan(weighted.get('big')!);
  });

  it('internal hops are signed: a forged, altered or stale request is refused', () => {
    const a = new ClusterHop('a shared token secret of the cluster, 32+ chars', 'node-a');
    const other = new ClusterHop('another cluster\'s secret, also 32+ characters', 'node-a');
    const headers = a.sign('GET', '/internal/cluster/media/hls/c1/index.m3u8');
    expect(a.verify('GET', '/internal/cluster/media/hls/c1/index.m3u8', headers)).toBe('node-a');
    expect(() => a.verify('GET', '/internal/cluster/media/hls/c2/index.m3u8', headers)).toThrow(/signature/);
    expect(() => other.verify('GET', '/internal/cluster/media/hls/c1/index.m3u8', headers)).toThrow(/signature/);
    expect(() => a.verify('GET', '/x', {})).toThrow(/signed requests/);
    const old = a.sign('GET', '/x', Date.now() - 60_000);
    expect(() => a.verify('GET', '/x', old)).toThrow(/too old/);
  });
});
