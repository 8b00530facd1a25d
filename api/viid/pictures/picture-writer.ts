import type { Worker } from 'node:worker_threads';
import { startTypeScriptWorker } from '../../../analytics/workers/typescript-worker.ts';
import type { PictureBatchMessage, PictureJob, PictureReplyMessage, PictureResult } from './picture-messages.ts';
import type { MovableBody } from '../movable-body.ts';
import type { PushLimits, PushParseMessage, PushParseReply, PushParseResult, PushReleaseMessage } from './push-messages.ts';

interface Pending {
  resolve: (reply: PictureReplyMessage | PushParseReply) => void;
  reject: (error: Error) => void;
}

/** A push parsed in one writer thread, which holds its good pictures until released. */
export interface ThreadPush {
  id: number;
  /** The holding thread (opaque outside the writer). */
  thread: object;
  /** Its pictures were dropped (with the store that wrote them, or by `release`). */
  released: boolean;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
  /** Resolves when the thread has loaded its code (or died trying). */
  ready: Promise<void>;
}

/**
 * Stores received pictures through writer threads (`picture-writer-worker.ts`): one message per request
 * batch, decoded and written there, one reply. Push bodies are parsed there too (`parse`), their pictures
 * held by that thread until `store` names those to write and `release` drops the rest. The event loop keeps only JSON and SQL; the libuv thread pool
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

  /**
   * Decodes, checks and writes the jobs; one result per job, in order. Jobs naming held pictures go to the
   * thread that parsed their push, which then drops the push's pictures (the last use: one message fewer).
   * Rejects only when a writer thread failed (or the push's thread is gone).
   */
  async store(jobs: PictureJob[], push?: ThreadPush): Promise<PictureResult[]> {
    if (jobs.length === 0) return [];
    const thread = push ? this.threadOf(push) : this.available();
    const id = this.nextId++;
    const message: PictureBatchMessage = { kind: 'store', id, jobs, push: push?.id, ...this.limits };
    if (push) push.released = true;
    return ((await this.send(thread, id, message)) as PictureReplyMessage).results;
  }

  /**
   * Parses a push body in the least busy thread. The body's memory is moved there, not copied.
   */
  async parse(body: MovableBody, limits: Omit<PushLimits, 'maxImageBytes' | 'maxImagePixels'>): Promise<{ parsed: PushParseResult; push: ThreadPush }> {
    const thread = this.available();
    const id = this.nextId++;
    const { chunks, transfer } = body.move();
    const message: PushParseMessage = { kind: 'parse', id, chunks, size: body.size, limits: { ...limits, ...this.limits } };
    const reply = (await this.send(thread, id, message, transfer)) as PushParseReply;
    return { parsed: reply.parsed, push: { id, thread, released: false } };
  }

  /** Drops a parsed push's held pictures; nothing to do when its thread is gone (they went with it). */
  release(push: ThreadPush): void {
    const thread = push.thread as Thread;
    if (push.released || !this.threads.includes(thread)) return;
    push.released = true;
    const message: PushReleaseMessage = { kind: 'release', push: push.id };
    thread.worker.postMessage(message);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.threads.map(async (thread, index) => {
      this.threads[index] = undefined;
      if (!thread) return;
      // Batches in flight finish and the thread closes its volumes (a terminated thread's descriptors stay open).
      const id = this.nextId++;
      await Promise.race([this.send(thread, id, { kind: 'close', id }).catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
      this.fail(thread, new Error('the picture writer stopped'));
      await thread.worker.terminate();
    }));
  }

  private available(): Thread {
    if (this.stopped) throw new Error('the picture writer is stopped');
    return this.leastBusy();
  }

  private threadOf(push: ThreadPush): Thread {
    if (this.stopped) throw new Error('the picture writer is stopped');
    const thread = push.thread as Thread;
    if (!this.threads.includes(thread)) throw new Error('the picture writer thread holding the push is gone');
    return thread;
  }

  private send(thread: Thread, id: number, message: unknown, transfer: ArrayBuffer[] = []): Promise<PictureReplyMessage | PushParseReply> {
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage(message, transfer);
    });
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
    worker.on('message', (reply: PictureReplyMessage | PushParseReply | { ready: true }) => {
      if ('ready' in reply) {
        loaded();
        return;
      }
      const pending = thread.pending.get(reply.id);
      thread.pending.delete(reply.id);
      pending?.resolve(reply);
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
