/** Free-capacity levels a node publishes: 0 (less than a quarter of its pulls free) .. FREE_LEVELS. */
export const FREE_LEVELS = 3;
/** How far (fraction of capacity) the free share must pass a level's edge before the level changes. */
const HYSTERESIS = 1 / 16;

/** The raw level of a free share in [0, 1]: quarters, the top two merged (0.75..1 is "mostly free"). */
function levelOf(freeShare: number): number {
  return Math.max(0, Math.min(FREE_LEVELS, Math.floor(freeShare * (FREE_LEVELS + 1))));
}

/**
 * A node's free capacity (capacity − pulls running), quantised into a few levels with hysteresis: the
 * level placement weighs idle cameras by. A level changes only when the free share passes its edge by
 * HYSTERESIS, so a load going up and down by a pull or two around an edge does not re-place cameras at
 * every heartbeat. The node computes it and publishes it in the registry: every node reads the same value.
 */
export class FreeCapacityLevel {
  private level: number | undefined;

  update(pulls: number, capacity: number): number {
    const share = Math.max(0, Math.min(1, (capacity - pulls) / Math.max(1, capacity)));
    const current = this.level;
    if (current === undefined) this.level = levelOf(share);
    else if (levelOf(share) > current) this.level = Math.max(current, levelOf(share - HYSTERESIS));
    else if (levelOf(share) < current) this.level = Math.min(current, levelOf(share + HYSTERESIS));
    return this.level!;
  }
}
