import { createHash } from 'node:crypto';
import type { DetectedObject } from '../detect/object-detector.ts';
import type { PlateReading } from '../plates/plate-reading.ts';
import { samePlate } from './plate-match.ts';

export interface PassTrackerOptions {
  /** A pass closes when its plate was unseen this long. */
  gapMs: number;
  /** Readings below this confidence are ignored. */
  minConfidence: number;
  /** Open passes kept per camera; the stalest is closed early beyond this (bounded memory). */
  maxOpen: number;
}

/** A vehicle pass being followed across frames. */
export interface TrackedPass {
  id: string;
  cameraId: string;
  firstSeenAt: number;
  lastSeenAt: number;
  /** Best reading so far and the frame time it came from. */
  best: PlateReading;
  bestAt: number;
  vehicle: DetectedObject | undefined;
  readings: number;
  /** Where the plate was last seen (for 1-character merging). */
  lastBox: PlateReading['box'];
  /** Where the plate was first seen (direction of travel). */
  firstBox: PlateReading['box'];
  /** Body colour of the vehicle, estimated on the frame of the best reading. */
  vehicleColour?: string;
  /** Seen in the last analysed frame: a static (gated) frame that follows still shows it. */
  inLastFrame: boolean;
}

/** Deterministic: replaying the same frames after a crash yields the same id, so nothing is stored twice. */
export function passId(cameraId: string, plate: string, firstSeenAt: number): string {
  return `ap_${createHash('sha256').update(`${cameraId}\n${plate}\n${firstSeenAt}`).digest('hex').slice(0, 40)}`;
}

/** Better = plausible format first, then higher confidence. */
function better(a: PlateReading, b: PlateReading): boolean {
  if (a.formatValid !== b.formatValid) return a.formatValid;
  return a.confidence > b.confidence;
}

/** The smallest vehicle box containing the plate centre: the car the plate is on. */
export function vehicleOf(reading: PlateReading, objects: readonly DetectedObject[]): DetectedObject | undefined {
  const cx = (reading.box.x1 + reading.box.x2) / 2;
  const cy = (reading.box.y1 + reading.box.y2) / 2;
  let found: DetectedObject | undefined;
  let foundArea = Number.POSITIVE_INFINITY;
  for (const o of objects) {
    if (o.className === 'person') continue;
    if (cx < o.box.x1 || cx > o.box.x2 || cy < o.box.y1 || cy > o.box.y2) continue;
    const area = (o.box.x2 - o.box.x1) * (o.box.y2 - o.box.y1);
    if (area < foundArea) [found, foundArea] = [o, area];
  }
  return found;
}

/**
 * One pass per vehicle, not per frame: readings of the same plate on consecutive frames of one camera
 * merge into one pass that keeps the best reading. Frames must be fed in capture order.
 */
export class PassTracker {
  private readonly open: TrackedPass[] = [];

  constructor(readonly cameraId: string, private readonly o: PassTrackerOptions) {}

  /**
   * An analysed frame. Returns the passes whose best reading came from this frame (the caller takes
   * their crop and scene images from it now) and any passes closed to stay within maxOpen.
   */
  observe(at: number, plates: readonly PlateReading[], objects: readonly DetectedObject[]): { improved: TrackedPass[]; evicted: TrackedPass[] } {
    for (const pass of this.open) pass.inLastFrame = false;
    const improved: TrackedPass[] = [];
    const evicted: TrackedPass[] = [];
    const readings = plates.filter((p) => p.confidence >= this.o.minConfidence).sort((a, b) => b.confidence - a.confidence);
    for (const reading of readings) {
      const pass = this.open.find((p) => !p.inLastFrame && samePlate(reading.plate, reading.box, p.best.plate, p.lastBox));
      if (pass) {
        pass.inLastFrame = true;
        pass.lastSeenAt = at;
        pass.lastBox = reading.box;
        pass.readings++;
        if (better(reading, pass.best)) {
          pass.best = reading;
          pass.bestAt = at;
          pass.vehicle = vehicleOf(reading, objects) ?? pass.vehicle;
          improved.push(pass);
        }
        continue;
      }
      // A new pass needs a plausible plate; a lone garbled read is noise.
      if (!reading.formatValid) continue;
      const created: TrackedPass = {
        id: passId(this.cameraId, reading.plate, at), cameraId: this.cameraId, firstSeenAt: at, lastSeenAt: at,
        best: reading, bestAt: at, vehicle: vehicleOf(reading, objects), readings: 1, lastBox: reading.box, firstBox: reading.box, inLastFrame: true,
      };
      this.open.push(created);
      improved.push(created);
      if (this.open.length > this.o.maxOpen) {
        this.open.sort((a, b) => a.lastSeenAt - b.lastSeenAt);
        evicted.push(...this.open.splice(0, this.open.length - this.o.maxOpen));
      }
    }
    return { improved: improved.filter((p) => !evicted.includes(p)), evicted };
  }

  /** A frame skipped as static: whatever the last analysed frame showed is still in view. */
  unchanged(at: number): void {
    for (const pass of this.open) if (pass.inLastFrame) pass.lastSeenAt = at;
  }

  /** Passes unseen for the gap at time `at`, removed from the open set. */
  closeIdle(at: number): TrackedPass[] {
    const closed: TrackedPass[] = [];
    for (let i = this.open.length - 1; i >= 0; i--) {
      if (at - this.open[i].lastSeenAt >= this.o.gapMs) closed.push(...this.open.splice(i, 1));
    }
    return closed.reverse();
  }

  /** Every open pass (the camera stops). */
  flush(): TrackedPass[] {
    return this.open.splice(0);
  }

  get openCount(): number {
    return this.open.length;
  }
}
