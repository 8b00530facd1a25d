import type { DetectedObject } from '../detect/object-detector.ts';
import type { PlateReading } from '../plates/plate-reading.ts';
import type { DensityMap } from '../crowd/density-map.ts';

/** What a worker runs on a frame. */
export type InferenceKind = 'objects' | 'plates' | 'all';

export interface InferenceResult {
  objects?: DetectedObject[];
  plates?: PlateReading[];
  /** Crowd density map of the frame, when the task asked for it. */
  density?: DensityMap;
  /** Milliseconds spent in the worker (pre-processing, models, decoding). */
  workerMs: number;
}

/** Main thread → worker. `data` is transferred (ArrayBuffer) or shared (SharedArrayBuffer), never copied. */
export interface TaskMessage {
  type: 'task';
  taskId: number;
  kind: InferenceKind;
  /** Also run the crowd density model (cameras with crowd zones, every few seconds). */
  density?: boolean;
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'result'; taskId: number; result: InferenceResult }
  | { type: 'task-error'; taskId: number; code: string; message: string };

/** Data every worker receives at start. */
export interface InferenceWorkerData {
  kinds: InferenceKind[];
  modelsDir?: string;
  /** The crowd density model, loaded on the first task that asks for density. */
  density?: { model: string; longSide: number };
  /** Look again with the 640 plate detector when the 320 one finds nothing (far plates). */
  farPlates?: boolean;
  /** Person/vehicle detection on grid × grid overlapping tiles as well as the whole frame (1 = whole frame only). */
  detectorTiles?: number;
  /** Free for custom worker scripts (tests). */
  extra?: unknown;
}
