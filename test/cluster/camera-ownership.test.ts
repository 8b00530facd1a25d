import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraLeases } from '../../api/kernel/cluster/camera-leases.ts';
import { CameraOwnership } from '../../api/kernel/cluster/camera-ownership.ts';
import type { ClusterConfig } from '../../api/kernel/cluster/cluster-config.ts';
import { PrivateRedisServer } from '../faults/private-redis-server.ts';

const cameras = Array.from({ length: 40 }, (_, i) => `cam-${String(i).padStart(2, '0')}`);
// Heartbeats driven by the test (beatNow), leases long enough never to run out on their own.
const config: ClusterConfig = { enabled: true, nodeId: '', advertiseUrl: '', leaseTtlMs: 120_000, heartbeatMs: 59_000, role: 'all' };

/** A node as the relay drives it: it pulls only cameras it owns, and a lost lease stops the pull. */
class Node {
  readonly ownership: CameraOwnership;
  pulling: string[] = [];
  losses = 0;
  constructor(redis: Redis, readonly id: string, capacity: number) {
    this.ownership = new CameraOwnership({
      redis, config, nodeId: id, url: () => `http://${id}`, capacity, cameraIds: async () => cameras,
      pulling: () => this.pulling,
      onLost: (cameraId) => { this.losses++; this.pulling = this.pulling.filter((c) => c !== cameraId); },
      log: pino({ level: 'silent' }),
    });
  }

  /** A viewer starts this camera here; false when the node does not own it (the relay would refuse). */
  view(cameraId: string): boolean {
    if (!this.ownership.owns(cameraId)) return false;
    if (!this.pulling.includes(cameraId)) this.pulling = [...this.pulling, cameraId];
    return true;
  }
}

describe('camera ownership by load (CameraOwnership on a real redis-server)', () => {
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

  it('a busy node keeps its pulled cameras and gives its idle ones away; loads wobbling move nothing; a join takes idle cameras only', async () => {
    const leases = new CameraLeases(redis, 'observer', 1_000);
    const a = new Node(redis, 'a', 10);
    const b = new Node(redis, 'b', 10);
    const nodes = [a, b];
    const unownedSeen: number[] = [];
    /** One heartbeat of every node (in turn, as their timers would fire), then who holds what. */
    const round = async () => {
      for (const node of nodes) await node.ownership.beatNow();
      const holders = await leases.holders(cameras);
      unownedSeen.push(cameras.length - holders.size);
      for (const node of nodes) for (const id of node.pulling) expect(holders.get(id)?.nodeId, `${id} pulled by ${node.id}`).toBe(node.id);
      return holders;
    };
    await a.ownership.start();
    await b.ownership.start();
    for (let i = 0; i < 3; i++) await round();
    expect(unownedSeen.at(-1)).toBe(0);

    // Viewers start 9 of a's cameras: a has 1 of 10 free (level 0), so its idle cameras go to b.
    const onA = cameras.filter((id) => a.ownership.owns(id)).slice(0, 9);
    expect(onA.length).toBe(9);
    for (const id of onA) expect(a.view(id)).toBe(true);
    for (let i = 0; i < 4; i++) await round();
    const settled = await round();
    for (const id of onA) expect(settled.get(id)?.nodeId).toBe('a');
    expect(cameras.filter((id) => !onA.includes(id)).every((id) => settled.get(id)?.nodeId === 'b')).toBe(true);
    expect(a.pulling).toEqual(onA);

    // Loads wobble by a pull or two, a heartbeat apart (a: 9 → 8 → 9, level 0 throughout thanks to the hysteresis,
    // its idle camera kept a beat by the handover's debounce; b starts and stops two): no lease changes hands.
    const lossesBefore = a.losses + b.losses;
    const onB = cameras.filter((id) => b.ownership.owns(id)).slice(0, 2);
    for (let i = 0; i < 6; i++) {
      if (i % 2 === 0) { a.pulling = a.pulling.filter((id) => id !== onA[0]); for (const id of onB) b.view(id); }
      else { a.view(onA[0]!); b.pulling = []; }
      await round();
    }
    expect(a.losses + b.losses).toBe(lossesBefore);

    // c joins with room: it takes a share of b's idle cameras, none of a's pulled ones; b's pulls stay.
    for (const id of onB) b.view(id);
    const c = new Node(redis, 'c', 10);
    nodes.push(c);
    await c.ownership.start();
    for (let i = 0; i < 4; i++) await round();
    const joined = await round();
    for (const id of onA) expect(joined.get(id)?.nodeId).toBe('a');
    for (const id of onB) expect(joined.get(id)?.nodeId).toBe('b');
    const onC = cameras.filter((id) => joined.get(id)?.nodeId === 'c');
    expect(onC.length).toBeGreaterThanOrEqual(8);
    expect(joined.size).toBe(cameras.length);
    // No camera was left without an owner for more than the one heartbeat of a handover.
    const unownedAfterStart = unownedSeen.slice(3);
    expect(Math.max(...unownedAfterStart), `unowned per round: ${unownedAfterStart}`).toBeLessThanOrEqual(onC.length);
    expect(unownedSeen.at(-1)).toBe(0);

    // a leaves (SIGTERM): its pulled cameras go to the others at their next heartbeat.
    await a.ownership.stop();
    nodes.shift();
    await round();
    const left = await round();
    expect(left.size).toBe(cameras.length);
    expect(onA.every((id) => ['b', 'c'].includes(left.get(id)!.nodeId))).toBe(true);
    await b.ownership.stop();
    await c.ownership.stop();
  });
});
