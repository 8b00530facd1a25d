import { describe, expect, it } from 'vitest';
import { FreeCapacityLevel } from '../../api/kernel/cluster/free-capacity-level.ts';
import { placeCameras, type PlacementNode } from '../../api/kernel/cluster/placement.ts';

const cameras = Array.from({ length: 300 }, (_, i) => `cam-${String(i).padStart(3, '0')}`);
const counts = (placed: Map<string, string>, only?: (id: string) => boolean) => {
  const out = new Map<string, number>();
  for (const [id, node] of placed) if (!only || only(id)) out.set(node, (out.get(node) ?? 0) + 1);
  return out;
};
const moved = (before: Map<string, string>, after: Map<string, string>) => [...before.keys()].filter((id) => before.get(id) !== after.get(id));
/** What a node with `pulls` of `capacity` publishes when its load got there from zero. */
const levelAt = (pulls: number, capacity = 100) => new FreeCapacityLevel().update(pulls, capacity);

describe('placement: pulled cameras stay, idle cameras lean to free capacity (placement.ts, free-capacity-level.ts)', () => {
  it('idle cameras go to nodes by free capacity; a node with under a quarter free takes none while another has room', () => {
    const even = counts(placeCameras(cameras, [{ id: 'a', capacity: 100, freeLevel: 3 }, { id: 'b', capacity: 100, freeLevel: 3 }, { id: 'c', capacity: 100, freeLevel: 3 }]));
    for (const n of even.values()) expect(n).toBeGreaterThanOrEqual(85);
    // b has a third of its free level: about a third of a's share (bounded loads keep a within 115 % of its share).
    const leaning = counts(placeCameras(cameras, [{ id: 'a', capacity: 100, freeLevel: 3 }, { id: 'b', capacity: 100, freeLevel: 1 }]));
    expect(leaning.get('b')!).toBeGreaterThan(40);
    expect(leaning.get('b')!).toBeLessThan(100);
    expect(leaning.get('a')!).toBe(300 - leaning.get('b')!);
    const busy = counts(placeCameras(cameras, [{ id: 'a', capacity: 100, freeLevel: 0 }, { id: 'b', capacity: 100, freeLevel: 2 }]));
    expect(busy.get('a') ?? 0).toBe(0);
    expect(busy.get('b')).toBe(300);
    // Every node that full: capacity alone weighs, so every camera still has an owner.
    const allFull = counts(placeCameras(cameras, [{ id: 'a', capacity: 100, freeLevel: 0 }, { id: 'b', capacity: 100, freeLevel: 0 }]));
    expect(allFull.get('a')! + allFull.get('b')!).toBe(300);
    expect(Math.min(allFull.get('a')!, allFull.get('b')!)).toBeGreaterThan(100);
  });

  it('a pulled camera stays on its node whatever the loads; only pulls beyond its capacity are re-placed', () => {
    const pulledOnA = cameras.slice(0, 9);
    const placed = placeCameras(cameras, [{ id: 'a', capacity: 10, freeLevel: 0, pulling: pulledOnA }, { id: 'b', capacity: 10, freeLevel: 3 }]);
    for (const id of pulledOnA) expect(placed.get(id)).toBe('a');
    // Nothing idle lands on the busy node.
    expect(counts(placed, (id) => !pulledOnA.includes(id)).get('a') ?? 0).toBe(0);
    // Listed by a node whose capacity shrank (restart with a smaller relay.maxStreams): the first 5 stay.
    const over = placeCameras(cameras, [{ id: 'a', capacity: 5, freeLevel: 0, pulling: pulledOnA }, { id: 'b', capacity: 10, freeLevel: 3 }]);
    expect(pulledOnA.filter((id) => over.get(id) === 'a')).toEqual(pulledOnA.slice(0, 5));
    // Same answer whatever order the inputs come in (every node computes it from its own read).
    expect(placeCameras([...cameras].reverse(), [{ id: 'b', capacity: 10, freeLevel: 3 }, { id: 'a', capacity: 10, freeLevel: 0, pulling: [...pulledOnA].reverse() }]))
      .toEqual(placeCameras(cameras, [{ id: 'a', capacity: 10, freeLevel: 0, pulling: pulledOnA }, { id: 'b', capacity: 10, freeLevel: 3 }]));
  });

  it('the free level has hysteresis: a load wobbling around an edge keeps its level; a real change moves it', () => {
    const level = new FreeCapacityLevel();
    expect(level.update(0, 100)).toBe(3);
    // Across the 75 %-free edge and back, pull by pull: no change until 6.25 % past it.
    const wobble = [24, 25, 26, 27, 25, 23, 26, 30, 26, 22].map((pulls) => level.update(pulls, 100));
    expect(wobble).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
    expect(level.update(32, 100)).toBe(2);
    expect([26, 24, 20, 26].map((pulls) => level.update(pulls, 100))).toEqual([2, 2, 2, 2]);
    expect(level.update(18, 100)).toBe(3);
    expect(levelAt(7, 8)).toBe(0);
    expect(levelAt(90)).toBe(0);
    expect(levelAt(60)).toBe(1);
  });

  it('small load changes move no pulled camera and at most a couple of idle ones', () => {
    const pulling = { a: cameras.filter((_, i) => i % 7 === 0), b: cameras.filter((_, i) => i % 11 === 1), c: [] as string[] };
    const nodes = (extra: string[] = []): PlacementNode[] => [
      { id: 'a', capacity: 100, freeLevel: levelAt(pulling.a.length), pulling: pulling.a },
      { id: 'b', capacity: 100, freeLevel: levelAt(pulling.b.length), pulling: pulling.b },
      { id: 'c', capacity: 100, freeLevel: levelAt(extra.length), pulling: extra },
    ];
    const before = placeCameras(cameras, nodes());
    // Viewers start three idle cameras of c's, and one pull of a ends: the levels stay, so does the rest.
    const started = cameras.filter((id) => before.get(id) === 'c').slice(0, 3);
    pulling.a = pulling.a.slice(1);
    const after = placeCameras(cameras, nodes(started));
    const changed = moved(before, after);
    expect(changed.filter((id) => [...pulling.a, ...pulling.b, ...started].includes(id))).toEqual([]);
    expect(changed.length).toBeLessThanOrEqual(2);
  });

  it('a node joining takes only its share of the idle cameras; a node leaving moves only its own cameras', () => {
    const pulledOnA = cameras.filter((_, i) => i % 5 === 0);
    const three: PlacementNode[] = [
      { id: 'a', capacity: 100, freeLevel: levelAt(pulledOnA.length), pulling: pulledOnA },
      { id: 'b', capacity: 100, freeLevel: 3 },
      { id: 'c', capacity: 100, freeLevel: 3 },
    ];
    const placed = placeCameras(cameras, three);
    const joined = placeCameras(cameras, [...three, { id: 'd', capacity: 100, freeLevel: 3 }]);
    const toD = moved(placed, joined);
    for (const id of pulledOnA) expect(joined.get(id)).toBe('a');
    // d's share of the idle cameras is about a third of them (its weight equals b's and c's, a has level 2):
    // what moves goes to d, bar the few the load bound shifts.
    expect(toD.filter((id) => joined.get(id) === 'd').length).toBeGreaterThan(50);
    expect(toD.filter((id) => joined.get(id) !== 'd').length).toBeLessThan(15);
    const left = placeCameras(cameras, three.filter((n) => n.id !== 'c'));
    const others = moved(placed, left).filter((id) => placed.get(id) !== 'c');
    for (const id of pulledOnA) expect(left.get(id)).toBe('a');
    expect(others.length).toBeLessThan(30);
    expect(cameras.every((id) => left.get(id) === 'a' || left.get(id) === 'b')).toBe(true);
  });
});
