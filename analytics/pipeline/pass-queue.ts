import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { QUEUES } from '../../api/kernel/redis/queue-catalogue.ts';
import type { RedisConnections } from '../../api/kernel/redis/redis-connections.ts';
import { PassRejectedError, type PassRecordInput } from '../vocabulary/pass-record-input.ts';
import { PassBatcher, type BatchOutcome } from './pass-batcher.ts';

/** The checkpoint service as far as the pipeline needs it; it throws PassRejectedError for records it refuses. */
export interface PassSink {
  ingestPasses(records: PassRecordInput[]): Promise<{ inserted: number; duplicates: number }>;
}

export interface PassQueueOptions {
  redis: RedisConnections;
  batchSize: number;
  lingerMs: number;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
}


const RETRY_CAP_MS = 30_000;

/**
 * The durable path from the pipeline to the checkpoint database. Every closed pass becomes a BullMQ job
 * whose id is the pass id: adding it twice is a no-op, and the store skips ids it already has, so a crash
 * at any point neither loses a queued pass nor stores one twice. The consumer gathers jobs into batches
 * (concurrency = batch size) and a job completes only after its batch is committed; database errors are
 * retried with capped exponential backoff, a record the store rejects as invalid fails alone. With
 * redis.waitReplicas, enqueue() resolves only once that many replicas have the job (else REDIS_NOT_REPLICATED).
 */
export class PassQueue {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly counters = { enqueued: 0, stored: 0, duplicates: 0, rejected: 0, writeErrors: 0 };

  constructor(private readonly o: PassQueueOptions) {
    this.queue = new Queue(QUEUES.passes.name, { prefix: QUEUES.passes.prefix, connection: o.redis.bullmq('hub-passes') });
    this.queue.on('error', (error) => o.log.warn({ err: error }, 'analytics pass queue: redis error'));
  }

  async enqueue(record: PassRecordInput): Promise<void> {
    await this.queue.add('pass', record, {
      jobId: record.id,
      attempts: 1_000,
      backoff: { type: 'capped' },
      removeOnComplete: { count: 1_000 },
      removeOnFail: { count: 10_000 },
    });
    // Acknowledged only once the configured replicas have it: a master dying right after loses nothing.
    // (BullMQ's client wrapper forwards `call` to the ioredis connection that wrote the job, as WAIT needs.)
    const client = (await this.queue.getBackend().client) as unknown as Pick<Redis, 'call'>;
    await this.o.redis.confirmReplicated(client, `pass ${record.id}`);
    this.counters.enqueued++;
  }

  /** Starts consuming into the store (one consumer per hub; several hubs may share the queue). */
  startConsumer(sink: PassSink): void {
    if (this.worker) return;
    const batcher = new PassBatcher<PassRecordInput>((records) => this.write(sink, records), this.o.batchSize, this.o.lingerMs);
    this.worker = new Worker(QUEUES.passes.name, (job: Job<PassRecordInput>) => batcher.submit(job.data), {
      prefix: QUEUES.passes.prefix,
      connection: this.o.redis.bullmq('hub-passes-consumer'),
      concurrency: this.o.batchSize,
      // Jobs of a hub node that died are taken up by another node once their lock lapses ("stalled"). The
      // default of one such hand-over would fail a pass whose second holder died too; storing is idempotent.
      maxStalledCount: 10,
      settings: { backoffStrategy: (attempts: number) => Math.min(RETRY_CAP_MS, 250 * 2 ** Math.min(attempts, 16)) },
    });
    this.worker.on('error', (error) => this.o.log.warn({ err: error }, 'analytics pass consumer: redis error'));
    this.worker.on('failed', (job, error) => {
      if (error instanceof UnrecoverableError) this.o.log.error({ passId: job?.id, err: error }, 'pass rejected by the checkpoint store');
    });
  }

  private async write(sink: PassSink, records: PassRecordInput[]): Promise<BatchOutcome> {
    try {
      const result = await sink.ingestPasses(records);
      this.counters.stored += result.inserted;
      this.counters.duplicates += result.duplicates;
      return records.map(() => undefined);
    } catch (error) {
      if (!(error instanceof PassRejectedError)) {
        this.counters.writeErrors++;
        this.o.log.warn({ err: error, records: records.length }, 'pass batch not stored; will retry');
        throw error;
      }
      if (records.length === 1) {
        this.counters.rejected++;
        return [new UnrecoverableError(`${(error as Error).message}`)];
      }
      // One bad record must not hold back the others: write them one by one.
      const outcomes: BatchOutcome = [];
      for (const record of records) outcomes.push((await this.write(sink, [record]).catch((e: unknown) => [e]))[0]);
      return outcomes;
    }
  }

  /** Waits until no pass is waiting, running or due for retry (bounded): the stop path. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((n) => n === 0)) return true;
      if (Date.now() >= deadline || !this.worker) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
  }

  stats(): typeof this.counters {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}
