import type { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { DetectedObject } from '../detect/object-detector.ts';
import type { RawImage } from '../models/raw-image.ts';
import type { PlateReading } from '../plates/plate-reading.ts';

/** How one frame's analysis ended; analysing never rejects. */
export type AnalysisOutcome =
  | { status: 'done'; objects: DetectedObject[]; plates: PlateReading[] }
  | { status: 'dropped' }
  | { status: 'failed'; error: DomainError };

/** Runs the models on frames: local worker threads, or remote workers over Redis. */
export interface FrameAnalyser {
  readonly kind: 'local' | 'remote';
  /** `frame.data` stays owned by the caller and is not modified; it must stay untouched until the promise settles. */
  analyse(queueKey: string, frame: RawImage): Promise<AnalysisOutcome>;
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}
