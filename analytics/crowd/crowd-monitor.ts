import type { CrowdZone } from './crowd-zone.ts';
import { WHOLE_FRAME_ZONE } from './crowd-zone.ts';

export interface CrowdSample {
  cameraId: string;
  zoneId: string;
  /** Start of the sample interval. */
  at: number;
  /** Peak count within the interval (rounded: fused counts are fractional). */
  count: number;
}

export type CrowdAlertTrigger = 'count' | 'density';

export interface CrowdAlertRaised {
  cameraId: string;
  zoneId: string;
  startedAt: number;
  raisedAt: number;
  threshold: number;
  count: number;
  trigger: CrowdAlertTrigger;
}

export interface CrowdAlertEnded {
  cameraId: string;
  zoneId: string;
  endedAt: number;
  peakCount: number;
}

/** Where the monitor's output goes (the database and the event bus, in the feature). */
export interface CrowdSink {
  samples(samples: CrowdSample[]): void;
  alertRaised(alert: CrowdAlertRaised): void;
  alertEnded(alert: CrowdAlertEnded): void;
}

/** Hysteresis: an open alert ends only when the count stays at or below `clearRatio` × threshold for `clearSeconds`. */
export interface CrowdHysteresis {
  clearRatio: number;
  clearSeconds: number;
}

interface ZoneState {
  /** First moment of the current episode above the threshold. */
  aboveSince?: number;
  /** Since when the count has been low (at or below the clear level), within an episode. */
  lowSince?: number;
  raised: boolean;
  peak: number;
}

/**
 * Crowd counting over time for one camera: keeps the peak count per zone per sample interval (one row per
 * zone per interval, not one per frame) and raises one alert per episode of a zone staying above its
 * threshold (a count, or people per m² on a calibrated zone) for its duration. Counts flicker from frame to
 * frame (a person hidden for one frame, a detector miss), so neither the wait for the duration nor an open
 * alert is reset by one low frame: both end only after the count has stayed at or below the clear level
 * (clearRatio × threshold) for clearSeconds.
 */
export class CrowdMonitor {
  private zones: CrowdZone[] = [];
  private bucket: number | undefined;
  private peaks = new Map<string, number>();
  private states = new Map<string, ZoneState>();

  constructor(
    readonly cameraId: string,
    private readonly sampleMs: number,
    private readonly sink: CrowdSink,
    private readonly hysteresis: CrowdHysteresis = { clearRatio: 0.9, clearSeconds: 10 },
  ) {}

  setZones(zones: readonly CrowdZone[]): void {
    this.zones = [...zones];
    const ids = new Set(zones.map((z) => z.id));
    for (const id of [...this.states.keys()]) if (!ids.has(id)) this.states.delete(id);
  }

  /** Counts at time `at`: per zone id, plus the whole picture under WHOLE_FRAME_ZONE. Times must not go back. */
  update(at: number, counts: Readonly<Record<string, number>>): void {
    const bucket = Math.floor(at / this.sampleMs) * this.sampleMs;
    if (this.bucket !== undefined && bucket !== this.bucket) this.flush();
    this.bucket = bucket;
    for (const [zoneId, count] of Object.entries(counts)) this.peaks.set(zoneId, Math.max(this.peaks.get(zoneId) ?? 0, count));
    for (const zone of this.zones) this.updateAlert(zone, at, counts[zone.id] ?? 0);
  }

  /** Writes the current interval's peaks (interval change, camera stop). */
  flush(): void {
    if (this.bucket === undefined || this.peaks.size === 0) return;
    const at = this.bucket;
    this.sink.samples([...this.peaks].map(([zoneId, count]) => ({ cameraId: this.cameraId, zoneId, at, count: Math.round(count) })));
    this.peaks.clear();
  }

  /** Which threshold the count is above, if any; and whether it is at or below the clear level of every threshold. */
  private level(zone: CrowdZone, count: number): { above?: CrowdAlertTrigger; low: boolean } {
    const ratio = this.hysteresis.clearRatio;
    const perSquareMetre = zone.areaSquareMetres && zone.densityThreshold ? count / zone.areaSquareMetres : undefined;
    const countAbove = count > zone.threshold;
    const densityAbove = perSquareMetre !== undefined && perSquareMetre > zone.densityThreshold!;
    const low = count <= zone.threshold * ratio && (perSquareMetre === undefined || perSquareMetre <= zone.densityThreshold! * ratio);
    return { above: countAbove ? 'count' : densityAbove ? 'density' : undefined, low };
  }

  private updateAlert(zone: CrowdZone, at: number, count: number): void {
    let state = this.states.get(zone.id);
    if (!state) this.states.set(zone.id, (state = { raised: false, peak: 0 }));
    const { above, low } = this.level(zone, count);
    const clearMs = this.hysteresis.clearSeconds * 1_000;
    if (above) {
      state.aboveSince ??= at;
      state.lowSince = undefined;
      state.peak = Math.max(state.peak, count);
      if (!state.raised && at - state.aboveSince >= zone.durationSeconds * 1_000) {
        state.raised = true;
        this.sink.alertRaised({
          cameraId: this.cameraId, zoneId: zone.id, startedAt: state.aboveSince, raisedAt: at,
          threshold: zone.threshold, count: Math.round(count), trigger: above,
        });
      }
      return;
    }
    if (state.aboveSince === undefined) return;
    if (!low) { state.lowSince = undefined; return; } // in the hysteresis band: the episode goes on
    state.lowSince ??= at;
    if (at - state.lowSince < clearMs) return;
    if (state.raised) this.sink.alertEnded({ cameraId: this.cameraId, zoneId: zone.id, endedAt: at, peakCount: Math.round(state.peak) });
    this.states.set(zone.id, { raised: false, peak: 0 });
  }
}

export { WHOLE_FRAME_ZONE };
