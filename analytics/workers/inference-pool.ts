import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { RawImage } from '../models/raw-image.ts';
import { CameraFrameQueues } from './camera-frame-queues.ts';
import type { InferenceKind, InferenceResult, InferenceWorkerData, TaskMessage, WorkerMessage } from './inference-messages.ts';
import { startTypeScriptWorker } from './typescript-worker.ts';

export interface InferencePoolOptions {
  /** Worker threads; default one per core. */
  size?: number;
  /** Frames waiting per camera before the oldest is dropped. */
  queueDepthPerCamera?: number;
  /** Models each worker loads. */
  kinds?: InferenceKind[];
  modelsDir?: string;
  /** Crowd density model for tasks that ask for density. */
  density?: { model: string; longSide: number };
  farPlates?: boolean;
  detectorTiles?: number;
  /** Another worker script speaking the same messages (tests use one that crashes on demand). */
  workerScript?: URL;
  workerExtra?: unknown;
}

/** How a submitted frame ended. Submitting never rejects: drops and failures are outcomes, counted. */
export type TaskOutcome =
  | { status: 'done'; result: InferenceResult; attempts: number }
  | { status: 'dropped' }
  | { status: 'failed'; error: DomainError; attempts: number };

export interface PoolStats {
  workers: number;
  submitted: number;
  completed: number;
  failed: number;
  dropped: number;
  droppedByCamera: Record<string, number>;
  workerCrashes: number;
  retried: number;
  queued: number;
  inFlight: number;
}

interface Task {
  id: number;
  cameraId: string;
  kind: InferenceKind;
  density?: boolean;
  frame: RawImage;
  attempts: number;
  resolve: (outcome: TaskOutcome) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task?: Task;
}

const DEFAULT_WORKER = new URL('./inference-worker.ts', import.meta.url);

/**
 * Worker-thread pool for the models. Frames go to per-camera bounded queues (drop oldest), then to the
 * first idle worker. A frame in a SharedArrayBuffer is shared with the worker and survives a crash, so
 * the task is retried once on a fresh worker; any other buffer is transferred (the caller gives it up),
 * dies with a crashed worker, and its task is reported failed with WORKER_CRASHED. Nothing is lost silently.
 */
export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly queues: CameraFrameQueues<Task>;
  private readonly counters = { submitted: 0, completed: 0, failed: 0, workerCrashes: 0, retried: 0 };
  private nextTaskId = 1;
  private closed = false;

  private constructor(private readonly options: Required<Pick<InferencePoolOptions, 'size' | 'kinds'>> & InferencePoolOptions) {
    this.queues = new CameraFrameQueues(options.queueDepthPerCamera ?? 4);
  }

  /** Starts the workers and waits until each has loaded its models (a model error rejects here). */
  static async start(options: InferencePoolOptions = {}): Promise<InferencePool> {
    const pool = new InferencePool({ ...options, size: options.size ?? availableParallelism(), kinds: options.kinds ?? ['all'] });
    try {
      await Promise.all(Array.from({ length: pool.options.size }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  submit(cameraId: string, frame: RawImage, kind: InferenceKind = 'all', options: { density?: boolean } = {}): Promise<TaskOutcome> {
    if (this.closed) return Promise.resolve({ status: 'failed', attempts: 0, error: new DomainError('POOL_CLOSED', 'inference pool is closed') });
    this.counters.submitted++;
    return new Promise<TaskOutcome>((resolve) => {
      const task: Task = { id: this.nextTaskId++, cameraId, kind, density: options.density, frame, attempts: 0, resolve };
      this.queues.push(cameraId, task)?.resolve({ status: 'dropped' });
      this.dispatch();
    });
  }

  stats(): PoolStats {
    return {
      workers: this.slots.length,
      ...this.counters,
      dropped: this.queues.totalDrops(),
      droppedByCamera: this.queues.drops(),
      queued: this.queues.length,
      inFlight: this.slots.filter((s) => s.task).length,
    };
  }

  /** Stops the workers; queued and in-flight frames are reported failed with POOL_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = new DomainError('POOL_CLOSED', 'inference pool closed before the frame was analysed');
    for (const task of this.queues.drain()) this.finish(task, { status: 'failed', error: closedError, attempts: task.attempts });
    const slots = this.slots.splice(0);
    for (const slot of slots) if (slot.task) this.finish(slot.task, { status: 'failed', error: closedError, attempts: slot.task.attempts });
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const data: InferenceWorkerData = { kinds: this.options.kinds, modelsDir: this.options.modelsDir, density: this.options.density, farPlates: this.options.farPlates, detectorTiles: this.options.detectorTiles, extra: this.options.workerExtra };
    const worker = startTypeScriptWorker(this.options.workerScript ?? DEFAULT_WORKER, { workerData: data });
    const slot: Slot = { worker, ready: false };
    this.slots.push(slot);
    return new Promise<void>((resolveReady, rejectReady) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          slot.ready = true;
          resolveReady();
          this.dispatch();
        } else this.onTaskMessage(slot, message);
      });
      worker.on('error', (error) => {
        if (!slot.ready) rejectReady(new DomainError('WORKER_START_FAILED', `inference worker failed to start: ${error.message}`, { cause: error }));
        this.onCrash(slot, error);
      });
      worker.on('exit', (code) => {
        if (!slot.ready) rejectReady(new DomainError('WORKER_START_FAILED', `inference worker exited with code ${code} while starting`));
        this.onCrash(slot, new Error(`worker exited with code ${code}`));
      });
    });
  }

  private onTaskMessage(slot: Slot, message: Exclude<WorkerMessage, { type: 'ready' }>): void {
    const task = slot.task;
    if (!task || task.id !== message.taskId) return;
    slot.task = undefined;
    if (message.type === 'result') {
      this.counters.completed++;
      this.finish(task, { status: 'done', result: message.result, attempts: task.attempts });
    } else {
      this.counters.failed++;
      this.finish(task, { status: 'failed', attempts: task.attempts, error: new DomainError(message.code, message.message) });
    }
    this.dispatch();
  }

  /** Called for 'error' and then 'exit' of the same worker: acts once, when the slot is still in the pool. */
  private onCrash(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    this.slots.splice(index, 1);
    void slot.worker.terminate();
    if (!slot.ready) return; // start failures are reported by start(); no respawn loop
    this.counters.workerCrashes++;
    const task = slot.task;
    if (task) {
      const shared = task.frame.data.buffer instanceof SharedArrayBuffer;
      if (shared && task.attempts < 2) {
        this.counters.retried++;
        this.queues.unshift(task.cameraId, task);
      } else {
        this.counters.failed++;
        const why = shared ? 'crashed twice on this frame' : 'crashed while analysing this frame (transferred buffer cannot be retried)';
        this.finish(task, { status: 'failed', attempts: task.attempts, error: new DomainError('WORKER_CRASHED', `inference worker ${why}`, { cause: error }) });
      }
    }
    this.spawn().catch(() => {}); // the replacement reports its own start failure through the next crash
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.task) continue;
      const task = this.queues.shift();
      if (!task) return;
      task.attempts++;
      slot.task = task;
      const transfer = task.frame.data.buffer instanceof SharedArrayBuffer ? [] : [ownedBuffer(task)];
      const { data, width, height, channels } = task.frame;
      const message: TaskMessage = { type: 'task', taskId: task.id, kind: task.kind, density: task.density, data, width, height, channels };
      slot.worker.postMessage(message, transfer);
    }
  }

  private finish(task: Task, outcome: TaskOutcome): void {
    task.resolve(outcome);
  }
}

/**
 * The ArrayBuffer to transfer. A view into a larger buffer (Node's Buffer pool, a slice) is copied once
 * into its own buffer first: transferring would detach memory the caller still uses for other data.
 */
function ownedBuffer(task: Task): ArrayBuffer {
  const view = task.frame.data;
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view.buffer as ArrayBuffer;
  const copy = new Uint8Array(view.byteLength);
  copy.set(view);
  task.frame = { ...task.frame, data: copy };
  return copy.buffer;
}
