import type { PlateColour } from './plate-vocabulary.js';

/** One pass as the analytics pipeline or an external checkpoint system reports it. */
export interface PassRecordInput {
  /** Caller-chosen, stable across retries (e.g. `<cameraId>:<frame time>:<track>`): idempotency key. */
  id: string;
  cameraId: string;
  /** Epoch ms. */
  passedAt: number;
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
