import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { QUEUES } from '../../api/kernel/redis/queue-catalogue.ts';
import type { RedisConnections } from '../../api/kernel/redis/redis-connections.ts';
import type { RawImage } from '../models/raw-image.ts';
import type { AnalyseOptions, AnalysisOutcome, FrameAnalyser } from './frame-analyser.ts';
import { densityFromJson, type RemoteFrameJob, type RemoteFrameResult } from './remote-frames.ts';

export interface RemoteAnalyserOptions {
  redis: RedisConnections;
  queueDepthPerCamera: number;
  resultTimeoutMs: number;
  jpegQuality: number;
  log: Pick<Logger, 'warn'>;
}

interface Waiting {
  jobId: string;
  job?: Job;
  resolve(outcome: AnalysisOutcome): void;
  timer: NodeJS.Timeout;
}

/**
 * Frames to the analytics:frames BullMQ queue, where remote workers (analytics/pipeline/remote-worker.ts,
 * any machine that reaches the hub's Redis) analyse them; results come back through QueueEvents. Per camera at most
 * `queueDepthPerCamera` frames wait: beyond that the oldest still-waiting job is removed and reported
 * dropped, so Redis memory stays bounded when the workers fall behind.
 */
export class RemoteAnalyser implements FrameAnalyser {
  readonly kind = 'remote';
  private readonly queue: Queue<RemoteFrameJob, RemoteFrameResult>;
  private readonly events: QueueEvents;
  private readonly waiting = new Map<string, Waiting>();
  private readonly byCamera = new Map<string, Waiting[]>();
  private readonly counters = { submitted: 0, completed: 0, failed: 0, dropped: 0, timedOut: 0 };

  constructor(private readonly o: RemoteAnalyserOptions) {
    this.queue = new Queue(QUEUES.frames.name, { prefix: QUEUES.frames.prefix, connection: o.redis.bullmq('hub-frames') });
    this.events = new QueueEvents(QUEUES.frames.name, { prefix: QUEUES.frames.prefix, connection: o.redis.bullmq('hub-frames-events') });
    this.queue.on('error', (error) => o.log.warn({ err: error }, 'analytics frame queue: redis error'));
    this.events.on('error', (error) => o.log.warn({ err: error }, 'analytics frame events: redis error'));
    this.events.on('completed', ({ jobId, returnvalue }) => {
      const result = returnvalue as unknown as RemoteFrameResult;
      this.settle(jobId, { status: 'done', objects: result.objects ?? [], plates: result.plates ?? [], density: densityFromJson(result.density) }, 'completed');
    });
    this.events.on('failed', ({ jobId, failedReason }) => {
      this.settle(jobId, { status: 'failed', error: new DomainError('REMOTE_ANALYSIS_FAILED', failedReason) }, 'failed');
    });
  }

  async analyse(queueKey: string, frame: RawImage, options: AnalyseOptions = {}): Promise<AnalysisOutcome> {
    this.counters.submitted++;
    const jpeg = await sharp(Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.width * frame.height * frame.channels), {
      raw: { width: frame.width, height: frame.height, channels: frame.channels as 1 | 3 | 4 },
    }).jpeg({ quality: this.o.jpegQuality }).toBuffer();
    const jobId = `f_${randomUUID()}`;
    return new Promise<AnalysisOutcome>((resolve) => {
      const entry: Waiting = {
        jobId, resolve,
        timer: setTimeout(() => {
          this.counters.timedOut++;
          this.settle(jobId, { status: 'failed', error: new DomainError('REMOTE_ANALYSIS_TIMEOUT', `no remote worker answered within ${this.o.resultTimeoutMs} ms`) });
          void this.queue.remove(jobId).catch(() => {});
        }, this.o.resultTimeoutMs),
      };
      this.waiting.set(jobId, entry);
      const list = this.byCamera.get(queueKey) ?? [];
      this.byCamera.set(queueKey, list);
      list.push(entry);
      if (list.length > this.o.queueDepthPerCamera) void this.dropOldest(list);
      this.queue.add('frame', { cameraId: queueKey, jpeg: jpeg.toString('base64'), width: frame.width, height: frame.height, density: options.density }, {
        jobId, removeOnComplete: true, removeOnFail: true, attempts: 2,
      }).then((job) => { entry.job = job; }, (error: unknown) => {
        this.settle(jobId, { status: 'failed', error: new DomainError('REMOTE_QUEUE_FAILED', 'could not queue the frame for remote workers', { cause: error }) });
      });
    });
  }

  stats(): Record<string, unknown> {
    return { ...this.counters, waiting: this.waiting.size };
  }

  async close(): Promise<void> {
    for (const jobId of [...this.waiting.keys()]) this.settle(jobId, { status: 'failed', error: new DomainError('POOL_CLOSED', 'analytics is stopping') });
    await this.events.close();
    await this.queue.close();
  }

  /** Removes the oldest frame not yet taken by a worker (a taken one finishes normally). */
  private async dropOldest(list: Waiting[]): Promise<void> {
    for (const entry of list) {
      const removed = await this.queue.remove(entry.jobId).then((n) => n > 0, () => false);
      if (removed) {
        this.counters.dropped++;
        this.settle(entry.jobId, { status: 'dropped' });
        return;
      }
    }
  }

  private settle(jobId: string, outcome: AnalysisOutcome, counter?: 'completed' | 'failed'): void {
    const entry = this.waiting.get(jobId);
    if (!entry) return;
    if (counter) this.counters[counter]++;
    clearTimeout(entry.timer);
    this.waiting.delete(jobId);
    for (const [key, list] of this.byCamera) {
      const index = list.indexOf(entry);
      if (index < 0) continue;
      list.splice(index, 1);
      if (list.length === 0) this.byCamera.delete(key);
      break;
    }
    entry.resolve(outcome);
  }
}
