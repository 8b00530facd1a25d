import type { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { DetectedObject } from '../detect/object-detector.ts';
import type { RawImage } from '../models/raw-image.ts';
import type { PlateReading } from '../plates/plate-reading.ts';
import type { DensityMap } from '../crowd/density-map.ts';

/** How one frame's analysis ended; analysing never rejects. */
export type AnalysisOutcome =
  | { status: 'done'; objects: DetectedObject[]; plates: PlateReading[]; density?: DensityMap }
  | { status: 'dropped' }
  | { status: 'failed'; error: DomainError };

/** What to run besides detection and plates. */
export interface AnalyseOptions {
  /** The crowd density map (cameras with crowd zones, every few seconds). */
  density?: boolean;
}

/** Runs the models on frames: local worker threads, or remote workers over Redis. */
export interface FrameAnalyser {
  readonly kind: 'local' | 'remote';
  /** `frame.data` stays owned by the caller and is not modified; it must stay untouched until the promise settles. */
  analyse(queueKey: string, frame: RawImage, options?: AnalyseOptions): Promise<AnalysisOutcome>;
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}
