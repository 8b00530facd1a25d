import type { CrowdZone } from './crowd-zone.ts';
import { WHOLE_FRAME_ZONE } from './crowd-zone.ts';

export interface CrowdSample {
  cameraId: string;
  zoneId: string;
  /** Start of the sample interval. */
  at: number;
  /** Peak count within the interval. */
  count: number;
}

export interface CrowdAlertRaised {
  cameraId: string;
  zoneId: string;
  startedAt: number;
  raisedAt: number;
  threshold: number;
  count: number;
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

interface ZoneState {
  aboveSince?: number;
  raised: boolean;
  peakSinceAbove: number;
}

/**
 * Crowd counting over time for one camera: keeps the peak count per zone per sample interval (one row
 * per zone per interval, not one per frame) and raises one alert per episode of a zone staying above its
 * threshold for its duration; the episode ends when the count falls back to the threshold or below.
 */
export class CrowdMonitor {
  private zones: CrowdZone[] = [];
  private bucket: number | undefined;
  private peaks = new Map<string, number>();
  private states = new Map<string, ZoneState>();

  constructor(readonly cameraId: string, private readonly sampleMs: number, private readonly sink: CrowdSink) {}

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
    this.sink.samples([...this.peaks].map(([zoneId, count]) => ({ cameraId: this.cameraId, zoneId, at, count })));
    this.peaks.clear();
  }

  private updateAlert(zone: CrowdZone, at: number, count: number): void {
    let state = this.states.get(zone.id);
    if (!state) this.states.set(zone.id, (state = { raised: false, peakSinceAbove: 0 }));
    if (count > zone.threshold) {
      state.aboveSince ??= at;
      state.peakSinceAbove = Math.max(state.peakSinceAbove, count);
      if (!state.raised && at - state.aboveSince >= zone.durationSeconds * 1_000) {
        state.raised = true;
        this.sink.alertRaised({ cameraId: this.cameraId, zoneId: zone.id, startedAt: state.aboveSince, raisedAt: at, threshold: zone.threshold, count });
      }
      return;
    }
    if (state.raised) this.sink.alertEnded({ cameraId: this.cameraId, zoneId: zone.id, endedAt: at, peakCount: state.peakSinceAbove });
    state.aboveSince = undefined;
    state.raised = false;
    state.peakSinceAbove = 0;
  }
}

export { WHOLE_FRAME_ZONE };
