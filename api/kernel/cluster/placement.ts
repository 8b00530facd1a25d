/** A node as placement sees it: its id and its weight (how many pulls it may run). */
export interface PlacementNode {
  id: string;
  capacity: number;
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

/**
 * Which node should own each camera: weighted rendezvous hashing (score = capacity / -ln(hash(camera,
 * node))) with bounded loads: a node takes at most its capacity-weighted share of the cameras (plus
 * slack), further cameras go to their next choice. Every node computes the same answer from the same live
 * node list, so they agree without talking; a node joining or leaving moves only about its share.
 */
export function placeCameras(cameraIds: readonly string[], nodes: readonly PlacementNode[]): Map<string, string> {
  const placed = new Map<string, string>();
  if (nodes.length === 0) return placed;
  const totalWeight = nodes.reduce((sum, n) => sum + Math.max(1, n.capacity), 0);
  const bound = new Map(nodes.map((n) => [n.id, Math.min(Math.max(1, n.capacity), Math.ceil((cameraIds.length * Math.max(1, n.capacity) / totalWeight) * LOAD_SLACK))]));
  const count = new Map(nodes.map((n) => [n.id, 0]));
  for (const cameraId of [...cameraIds].sort()) {
    const ranked = nodes
      .map((n) => ({ id: n.id, score: Math.max(1, n.capacity) / -Math.log(unitHash(`${cameraId}\u0000${n.id}`)) }))
      .sort((a, b) => b.score - a.score);
    const choice = ranked.find((n) => count.get(n.id)! < bound.get(n.id)!) ?? ranked[0]!;
    placed.set(cameraId, choice.id);
    count.set(choice.id, count.get(choice.id)! + 1);
  }
  return placed;
}
