import type { DetectedObject } from '../detect/object-detector.ts';
import { intersectionOverUnion, type Box } from '../detect/nms.ts';
import type { PlateReading } from '../plates/plate-reading.ts';
import { travelDirection, type TravelDirection } from './travel-direction.ts';

/** Classes that make a vehicle pass (bicycles carry no plate and are not 卡口 records). */
const VEHICLES = new Set(['car', 'bus', 'truck', 'motorcycle']);

export interface VehicleTrackerOptions {
  /** A track closes when its vehicle was unseen this long. */
  gapMs: number;
  /** Frames a vehicle must be seen in before it counts (one frame is noise). */
  minFrames: number;
  /** Frame height, for "did it move" (parked cars make no pass). */
  frameHeight: number;
  /** Tracks kept at once; the stalest closes early beyond this. */
  maxOpen: number;
}

/** A vehicle followed across frames by box overlap. */
export interface VehicleTrack {
  id: number;
  className: string;
  firstSeenAt: number;
  lastSeenAt: number;
  firstBox: Box;
  lastBox: Box;
  /** The largest view of the vehicle so far (its crop) and when. */
  best: DetectedObject;
  bestAt: number;
  frames: number;
  /** A plate was read on it in some frame: the plate pass speaks for it. */
  plated: boolean;
  inLastFrame: boolean;
  /** Body colour on the best view. */
  colour?: string;
}

/** A closed track that becomes a pass without a plate (GA/T 1400 HasPlate 0). */
export interface PlatelessVehicle {
  track: VehicleTrack;
  direction: TravelDirection;
}

const centre = (b: Box) => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });
const diagonal = (b: Box) => Math.hypot(b.x2 - b.x1, b.y2 - b.y1);
const area = (b: Box) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
const contains = (b: Box, p: Box) => {
  const cx = (p.x1 + p.x2) / 2;
  const cy = (p.y1 + p.y2) / 2;
  return cx >= b.x1 && cx <= b.x2 && cy >= b.y1 && cy <= b.y2;
};

/**
 * Follows vehicles without relying on their plate, so a vehicle whose plate is missing, covered or unreadable
 * still makes a pass: investigators find it by time, camera, colour and class. A track that ever carried a
 * readable plate is left to the plate pass; one that never moved (a parked car) makes none.
 */
export class VehicleTracker {
  private readonly open: VehicleTrack[] = [];
  private nextId = 1;

  constructor(private readonly o: VehicleTrackerOptions) {}

  /**
   * An analysed frame; returns the tracks whose best view came from this frame and that may still become
   * plateless passes (take their crop now; a track whose plate was read never needs one).
   */
  observe(at: number, objects: readonly DetectedObject[], plates: readonly PlateReading[]): VehicleTrack[] {
    for (const track of this.open) track.inLastFrame = false;
    const improved: VehicleTrack[] = [];
    const vehicles = objects.filter((o) => VEHICLES.has(o.className)).sort((a, b) => area(b.box) - area(a.box));
    for (const vehicle of vehicles) {
      let match: VehicleTrack | undefined;
      let matchIou = 0.2;
      for (const track of this.open) {
        if (track.inLastFrame) continue;
        const iou = intersectionOverUnion(track.lastBox, vehicle.box);
        if (iou > matchIou) [match, matchIou] = [track, iou];
      }
      // At 2 frames/s a car moves more than its own length between frames: then the nearest track of the same
      // class within about one box size is the same car.
      if (!match) {
        let nearest = Number.POSITIVE_INFINITY;
        for (const track of this.open) {
          if (track.inLastFrame || track.className !== vehicle.className) continue;
          const distance = Math.hypot(centre(track.lastBox).x - centre(vehicle.box).x, centre(track.lastBox).y - centre(vehicle.box).y);
          const reach = Math.max(diagonal(track.lastBox), diagonal(vehicle.box));
          if (distance < reach && distance < nearest) [match, nearest] = [track, distance];
        }
      }
      const plated = plates.some((p) => p.formatValid && contains(vehicle.box, p.box));
      if (!match) {
        match = {
          id: this.nextId++, className: vehicle.className, firstSeenAt: at, lastSeenAt: at, firstBox: vehicle.box, lastBox: vehicle.box,
          best: vehicle, bestAt: at, frames: 0, plated: false, inLastFrame: false,
        };
        this.open.push(match);
        if (!plated) improved.push(match);
      } else if (area(vehicle.box) > area(match.best.box) * 1.15) {
        // A clearly larger view only: boxes jitter by a few pixels every frame, and each new best costs a crop.
        match.best = vehicle;
        match.bestAt = at;
        if (!match.plated && !plated) improved.push(match);
      }
      match.frames++;
      match.lastSeenAt = at;
      match.lastBox = vehicle.box;
      match.inLastFrame = true;
      match.plated ||= plated;
    }
    return improved;
  }

  /** A static frame: what was in view is still there. */
  unchanged(at: number): void {
    for (const track of this.open) if (track.inLastFrame) track.lastSeenAt = at;
  }

  /** Closes tracks unseen for the gap (and the stalest beyond maxOpen); returns those that are plateless passes. */
  closeIdle(at: number): { closed: VehicleTrack[]; plateless: PlatelessVehicle[] } {
    const closed: VehicleTrack[] = [];
    for (let i = this.open.length - 1; i >= 0; i--) if (at - this.open[i].lastSeenAt >= this.o.gapMs) closed.push(...this.open.splice(i, 1));
    if (this.open.length > this.o.maxOpen) {
      this.open.sort((a, b) => a.lastSeenAt - b.lastSeenAt);
      closed.push(...this.open.splice(0, this.open.length - this.o.maxOpen));
    }
    return { closed, plateless: this.platelessOf(closed) };
  }

  flush(): { closed: VehicleTrack[]; plateless: PlatelessVehicle[] } {
    const closed = this.open.splice(0);
    return { closed, plateless: this.platelessOf(closed) };
  }

  private platelessOf(tracks: VehicleTrack[]): PlatelessVehicle[] {
    const out: PlatelessVehicle[] = [];
    for (const track of tracks) {
      if (track.plated || track.frames < this.o.minFrames) continue;
      const direction = travelDirection(track.firstBox, track.lastBox, this.o.frameHeight);
      if (direction) out.push({ track, direction });
    }
    return out;
  }
}
