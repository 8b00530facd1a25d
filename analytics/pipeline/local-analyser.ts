import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { RawImage } from '../models/raw-image.ts';
import { InferencePool, type PoolStats } from '../workers/inference-pool.ts';
import type { AnalyseOptions, AnalysisOutcome, FrameAnalyser } from './frame-analyser.ts';

export interface LocalAnalyserOptions {
  workers: number;
  queueDepthPerCamera: number;
  modelsDir?: string;
  workerScript?: URL;
  density?: { model: string; longSide: number };
  farPlates?: boolean;
  detectorTiles?: number;
}

/**
 * The in-process worker-thread pool, started on first use: a hub without analysed cameras loads no
 * models. A pool that fails to start (missing models) is retried on the next frame, not cached as broken.
 */
export class LocalAnalyser implements FrameAnalyser {
  readonly kind = 'local';
  private pool: Promise<InferencePool> | undefined;
  private closed = false;

  constructor(private readonly o: LocalAnalyserOptions) {
    if (o.workers < 1) throw new DomainError('ANALYTICS_NO_WORKERS', 'analytics.workers is 0 and remoteFrames is off: nothing would analyse frames');
  }

  async analyse(queueKey: string, frame: RawImage, options: AnalyseOptions = {}): Promise<AnalysisOutcome> {
    if (this.closed) return { status: 'failed', error: new DomainError('POOL_CLOSED', 'analytics is stopping') };
    let pool: InferencePool;
    try {
      pool = await this.started();
    } catch (error) {
      return { status: 'failed', error: error instanceof DomainError ? error : new DomainError('WORKER_START_FAILED', String(error)) };
    }
    const outcome = await pool.submit(queueKey, frame, 'all', { density: options.density });
    if (outcome.status === 'done') return { status: 'done', objects: outcome.result.objects ?? [], plates: outcome.result.plates ?? [], density: outcome.result.density };
    return outcome.status === 'dropped' ? outcome : { status: 'failed', error: outcome.error };
  }

  stats(): Partial<PoolStats> & { started: boolean } {
    return { started: this.current !== undefined, ...(this.current?.stats() ?? {}) };
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = await this.pool?.catch(() => undefined);
    await pool?.close();
  }

  private current: InferencePool | undefined;

  private started(): Promise<InferencePool> {
    this.pool ??= InferencePool.start({
      size: this.o.workers, queueDepthPerCamera: this.o.queueDepthPerCamera, kinds: ['all'],
      modelsDir: this.o.modelsDir, workerScript: this.o.workerScript, density: this.o.density, farPlates: this.o.farPlates, detectorTiles: this.o.detectorTiles,
    }).then(
      (pool) => {
        this.current = pool;
        if (this.closed) void pool.close();
        return pool;
      },
      (error: unknown) => {
        this.pool = undefined;
        throw error;
      },
    );
    return this.pool;
  }
}
