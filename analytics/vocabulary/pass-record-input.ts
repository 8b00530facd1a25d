import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { PlateColour } from './plate-vocabulary.js';

/** One pass as the analytics pipeline or an external checkpoint system reports it. */
export interface PassRecordInput {
  /** Caller-chosen, stable across retries (e.g. `<cameraId>:<frame time>:<track>`): idempotency key. */
  id: string;
  cameraId: string;
  /** Epoch ms. */
  passedAt: number;
  /** '' for a vehicle without a plate (GA/T 1400 HasPlate 0). */
  plate: string;
  plateColour: PlateColour;
  /** 0..1 */
  plateConfidence: number;
  /** 0..1 per plate character. */
  charConfidences: number[];
  vehicleClass?: string;
  vehicleColour?: string;
  lane?: number;
  direction?: string;
  /** Detection boxes, kept as JSON. */
  boxes?: unknown;
  /** Paths under <dataDir>/images (relative, or absolute inside it). */
  cropImagePath?: string;
  sceneImagePath?: string;
}

export type PassRejectionCode = 'PASS_INVALID' | 'PASS_IMAGE_PATH_INVALID' | 'PASS_CAMERA_UNKNOWN' | 'PASS_BATCH_TOO_LARGE';

/**
 * A checkpoint store refused the records themselves (invalid, unknown camera, too many at once): sending them
 * again cannot help. Anything else a store throws (the database is down) is worth a retry.
 */
export class PassRejectedError extends DomainError {
  constructor(code: PassRejectionCode, message: string) {
    super(code, message);
    this.name = 'PassRejectedError';
  }
}
