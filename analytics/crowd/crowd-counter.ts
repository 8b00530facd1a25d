import { countPersons, countPersonsInZones, type Zone } from '../detect/crowd.ts';
import type { DetectedObject } from '../detect/object-detector.ts';
import type { AnalyticsConfig } from '../analytics-config.ts';
import { densityInZones, type DensityMap } from './density-map.ts';
import { WHOLE_FRAME_ZONE, type ContentRect } from './crowd-zone.ts';

export type CrowdConfig = AnalyticsConfig['crowd'];

/**
 * The fusion rule (docs/CROWD.md): the density model over-counts sparse scenes by about ten people and the
 * detector misses people in dense ones. Below `sparseBelow` (by the density count) the detector's count is
 * used, above `denseAbove` the density count, linearly blended in between; never fewer than the detector
 * found, since a person the detector is sure of is there.
 */
export function fuseCount(detector: number, density: number | undefined, rule: Pick<CrowdConfig, 'sparseBelow' | 'denseAbove'>): number {
  if (density === undefined) return detector;
  const span = Math.max(1e-6, rule.denseAbove - rule.sparseBelow);
  const weight = Math.min(1, Math.max(0, (density - rule.sparseBelow) / span));
  return Math.max(detector, weight * density + (1 - weight) * detector);
}

export interface CrowdCounts {
  /** Fused counts per zone id and WHOLE_FRAME_ZONE. */
  fused: Record<string, number>;
  detector: Record<string, number>;
  /** Density counts, when a density map came with the frame. */
  density?: Record<string, number>;
}

/**
 * Per-camera crowd counting: decides on which frames the density model runs (cameras with zones, at most
 * every densityEverySeconds) and fuses each zone's detector and density counts. Between density frames
 * the last density counts are reused, scaled by nothing: a crowd changes over seconds, not frames.
 */
export class CrowdCounter {
  private lastDensityAt = -Infinity;
  private lastDensity: Record<string, number> | undefined;

  constructor(private readonly config: CrowdConfig) {}

  /** Whether the frame at `at` should also go through the density model. */
  wantsDensity(at: number, hasZones: boolean): boolean {
    if (this.config.density === 'off' || !hasZones) return false;
    return at - this.lastDensityAt >= this.config.densityEverySeconds * 1_000;
  }

  /** Zones changed: old density counts no longer match the zones. */
  reset(): void {
    this.lastDensity = undefined;
    this.lastDensityAt = -Infinity;
  }

  count(at: number, objects: readonly DetectedObject[], zones: readonly Zone[], rect: ContentRect, density?: DensityMap): CrowdCounts {
    const persons = objects.filter((o) => o.className === 'person' && o.score >= this.config.minPersonScore);
    const detector = { [WHOLE_FRAME_ZONE]: countPersons(persons), ...countPersonsInZones(persons, zones) };
    if (density) {
      const picture = [{ x: rect.x, y: rect.y }, { x: rect.x + rect.width, y: rect.y }, { x: rect.x + rect.width, y: rect.y + rect.height }, { x: rect.x, y: rect.y + rect.height }];
      this.lastDensity = densityInZones(density, [{ id: WHOLE_FRAME_ZONE, polygon: picture }, ...zones]);
      this.lastDensityAt = at;
    }
    const fused: Record<string, number> = {};
    for (const [zoneId, count] of Object.entries(detector)) fused[zoneId] = fuseCount(count, this.lastDensity?.[zoneId], this.config);
    return { fused, detector, density: this.lastDensity };
  }
}
