import type { DetectedObject } from '../detect/object-detector.ts';
import type { PlateReading } from '../plates/plate-reading.ts';

/** What a worker runs on a frame. */
export type InferenceKind = 'objects' | 'plates' | 'all';

export interface InferenceResult {
  objects?: DetectedObject[];
  plates?: PlateReading[];
  /** Milliseconds spent in the worker (pre-processing, models, decoding). */
  workerMs: number;
}

/** Main thread → worker. `data` is transferred (ArrayBuffer) or shared (SharedArrayBuffer), never copied. */
export interface TaskMessage {
  type: 'task';
  taskId: number;
  kind: InferenceKind;
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
  /** Free for custom worker scripts (tests). */
  extra?: unknown;
}
