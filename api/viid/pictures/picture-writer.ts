import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../../../analytics/workers/typescript-worker.ts';
import type { PictureBatchMessage, PictureJob, PictureReplyMessage, PictureResult } from './picture-messages.ts';

interface Pending {
  resolve: (results: PictureResult[]) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Resolves when the thread has loaded its code (or died trying). */
  ready: Promise<void>;
}

/**
 * Stores received pictures through writer threads (`picture-writer-worker.ts`): one message per request
 * batch, decoded and written there, one reply. The event loop keeps only JSON and SQL; the libuv thread pool
 * (four threads shared with everything else) is not queued three calls deep per picture. Batches go to the
 * thread with the fewest outstanding. A thread that dies fails its outstanding batches (the senders get a
 * retryable status) and is replaced on the next batch.
 */
export class PictureWriter {
  private readonly threads: Array<Thread | undefined>;
  private nextId = 1;
  private stopped = false;

  constructor(private readonly imagesDir: string, threads: number, private readonly limits: { maxImageBytes: number; maxImagePixels: number }) {
    this.threads = new Array(Math.max(1, threads)).fill(undefined);
  }

  /** Starts every thread and waits until they are loaded, so the first requests do not wait for it. */
  async start(): Promise<void> {
    this.stopped = false;
    for (let i = 0; i < this.threads.length; i++) this.threads[i] ??= this.spawn(i);
    await Promise.all(this.threads.map((thread) => thread?.ready));
  }

  /** Decodes, checks and writes the jobs; one result per job, in order. Rejects only when a writer thread failed. */
  store(jobs: PictureJob[]): Promise<PictureResult[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    if (this.stopped) return Promise.reject(new Error('the picture writer is stopped'));
    const thread = this.leastBusy();
    const id = this.nextId++;
    const message: PictureBatchMessage = { id, jobs, ...this.limits };
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage(message);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.threads.map(async (thread, index) => {
      this.threads[index] = undefined;
      if (!thread) return;
      this.fail(thread, new Error('the picture writer stopped'));
      await thread.worker.terminate();
    }));
  }

  private leastBusy(): Thread {
    let best = 0;
    for (let i = 0; i < this.threads.length; i++) {
      const thread = this.threads[i];
      if (!thread) return (this.threads[i] = this.spawn(i));
      if (thread.pending.size < this.threads[best]!.pending.size) best = i;
    }
    return this.threads[best]!;
  }

  private spawn(index: number): Thread {
    const worker = startTypeScriptWorker(new URL('./picture-writer-worker.ts', import.meta.url), { workerData: { imagesDir: this.imagesDir } });
    let loaded!: () => void;
    const thread: Thread = { worker, pending: new Map(), ready: new Promise((resolve) => { loaded = resolve; }) };
    worker.unref();
    worker.on('message', (reply: PictureReplyMessage | { ready: true }) => {
      if ('ready' in reply) {
        loaded();
        return;
      }
      const pending = thread.pending.get(reply.id);
      thread.pending.delete(reply.id);
      pending?.resolve(reply.results);
    });
    const gone = (error: Error) => {
      loaded();
      if (this.threads[index] === thread) this.threads[index] = undefined;
      this.fail(thread, error);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the picture writer thread exited (${code})`)));
    return thread;
  }

  private fail(thread: Thread, error: Error): void {
    for (const pending of thread.pending.values()) pending.reject(error);
    thread.pending.clear();
  }
}
