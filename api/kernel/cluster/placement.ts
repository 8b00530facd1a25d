import { FREE_LEVELS } from './free-capacity-level.ts';

/** A node as placement sees it (what it publishes in the registry). */
export interface PlacementNode {
  id: string;
  /** How many pulls it may run (relay.maxStreams). */
  capacity: number;
  /** Its free capacity quantised with hysteresis (free-capacity-level.ts); absent = all free (a node that does not say). */
  freeLevel?: number;
  /** Cameras it pulls now: they stay on it. */
  pulling?: readonly string[];
}

/** Headroom over a node's fair share before cameras spill to their next choice (bounded-load hashing). */
const LOAD_SLACK = 1.15;

/** FNV-1a, 32 bits, as a fraction in (0, 1): cheap, stable across processes and machines. */
function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Avalanche the low bits (FNV alone spreads similar ids poorly).
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;
  return ((h >>> 0) + 1) / 4_294_967_297;
}

/** The weight of a node for cameras nobody pulls: its capacity scaled by its free level (0 = takes none). */
function idleWeight(node: PlacementNode): number {
  return Math.max(1, node.capacity) * Math.min(FREE_LEVELS, Math.max(0, node.freeLevel ?? FREE_LEVELS)) / FREE_LEVELS;
}

/**
 * Which node should own each camera.
 * - A camera a live node pulls stays on it (moving it would cut its viewers and open a second RTSP
 *   session); only the pulls beyond that node's capacity are placed as idle ones.
 * - The other (idle) cameras go by weighted rendezvous hashing (score = weight / -ln(hash(camera, node)))
 *   with bounded loads, the weight being the node's capacity times its published free level: a viewer's
 *   next camera most likely sits on a node with room, and a node with less than a quarter free takes
 *   none while another has room. If every node is that full, capacity alone weighs.
 * Every node computes the same answer from the same registry snapshot (levels change rarely: hysteresis);
 * a node joining or leaving, or changing level, moves only about its share of the idle cameras.
 */
export function placeCameras(cameraIds: readonly string[], nodes: readonly PlacementNode[]): Map<string, string> {
  const placed = new Map<string, string>();
  if (nodes.length === 0) return placed;
  const sortedNodes = [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const known = new Set(cameraIds);
  const sticky = new Map<string, number>();
  for (const node of sortedNodes) {
    let kept = 0;
    for (const cameraId of [...(node.pulling ?? [])].sort()) {
      if (kept >= Math.max(1, node.capacity)) break;
      if (!known.has(cameraId) || placed.has(cameraId)) continue;
      placed.set(cameraId, node.id);
      kept++;
    }
    sticky.set(node.id, kept);
  }
  const withRoom = sortedNodes.filter((n) => idleWeight(n) > 0);
  const candidates = (withRoom.length > 0 ? withRoom : sortedNodes).map((n) => ({ id: n.id, weight: withRoom.length > 0 ? idleWeight(n) : Math.max(1, n.capacity) }));
  const totalWeight = candidates.reduce((sum, n) => sum + n.weight, 0);
  // Bounds over all cameras, pulled ones counted where they stay: a pull starting where its camera was
  // placed changes no count, so it shifts no other camera.
  const bound = new Map(candidates.map((n) => [n.id, Math.ceil((known.size * n.weight / totalWeight) * LOAD_SLACK)]));
  const count = new Map(candidates.map((n) => [n.id, sticky.get(n.id) ?? 0]));
  for (const cameraId of [...known].sort()) {
    if (placed.has(cameraId)) continue;
    const ranked = candidates
      .map((n) => ({ id: n.id, score: n.weight / -Math.log(unitHash(`${cameraId}\u0000${n.id}`)) }))
      .sort((a, b) => b.score - a.score);
    const choice = ranked.find((n) => count.get(n.id)! < bound.get(n.id)!) ?? ranked[0]!;
    placed.set(cameraId, choice.id);
    count.set(choice.id, count.get(choice.id)! + 1);
  }
  return placed;
}
