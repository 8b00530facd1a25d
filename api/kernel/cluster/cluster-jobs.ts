import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { labelValue } from '../metrics/metrics-registry.ts';
import type { RedisConnections } from '../redis/redis-connections.ts';
import { SingletonLease } from './singleton-lease.ts';

export interface ClusterJobsOptions {
  /** Without a cluster every job simply runs here. */
  enabled: boolean;
  nodeId: string;
  redis: RedisConnections;
  leaseTtlMs: number;
  heartbeatMs: number;
  log: Pick<Logger, 'warn' | 'info'>;
}

/** What a job run is told: its fencing token, and a signal that fires if the lease was lost meanwhile. */
export interface JobRun {
  readonly fence: number;
  readonly signal: AbortSignal;
}

export interface JobCounts { runs: number; skipped: number; lost: number }

const KEY_PREFIX = 'hub:job:';
/** The next period's run may start this much early (node timers are not in phase). */
const PERIOD_SLACK = 0.1;

/**
 * Background jobs that must run once cluster-wide (grant expiry, retention): each PeriodicTask pass of
 * such a job on every node calls once(); the first node to take the job's lease for the period runs it,
 * the others skip. The lease is renewed while the run lasts and, when it ends, kept until the period is
 * nearly over, so N nodes ticking at different phases still make one run per period. A node that dies
 * mid-run stops renewing: its lease lapses after leaseTtlMs and the next node to tick runs the job.
 * A holder that stalls past its TTL sees its signal abort (the jobs also guard their writes in the
 * database, so a run overlapping the next holder's repeats no effect).
 */
export class ClusterJobs {
  private redis: Redis | undefined;
  private readonly counts = new Map<string, JobCounts>();
  private stopped = false;

  constructor(private readonly o: ClusterJobsOptions) {
    if (o.enabled) {
      this.redis = o.redis.client(`hub-jobs-${o.nodeId}`, { lazyConnect: true, maxRetriesPerRequest: 2 });
      this.redis.on('error', () => { /* reported by the failing once() */ });
    }
  }

  get nodeId(): string {
    return this.o.nodeId;
  }

  /** Runs the job here unless another node has it this period; undefined when skipped. */
  async once<T>(job: string, periodMs: number, run: (context: JobRun) => Promise<T>): Promise<T | undefined> {
    if (this.stopped) return undefined;
    const counts = this.countsOf(job);
    if (!this.redis) {
      counts.runs++;
      return run({ fence: 0, signal: new AbortController().signal });
    }
    const lease = new SingletonLease(this.redis, `${KEY_PREFIX}${job}`, this.o.nodeId);
    const held = await lease.acquire(this.o.leaseTtlMs);
    if (!held) {
      counts.skipped++;
      return undefined;
    }
    counts.runs++;
    const startedAt = Date.now();
    const lost = new AbortController();
    const heartbeat = setInterval(() => {
      lease.renew(held, this.o.leaseTtlMs).then((still) => {
        if (still || lost.signal.aborted) return;
        counts.lost++;
        this.o.log.warn({ job, fence: held.fence }, 'background job lease lost mid-run; another node may run it now');
        lost.abort();
      }, () => { /* Redis away: the next beat tries again, the TTL decides */ });
    }, this.o.heartbeatMs);
    heartbeat.unref();
    try {
      return await run({ fence: held.fence, signal: lost.signal });
    } finally {
      clearInterval(heartbeat);
      const keepMs = startedAt + periodMs * (1 - PERIOD_SLACK) - Date.now();
      await lease.settle(held, keepMs).catch(() => { /* the TTL frees it */ });
    }
  }

  /** This node's passes of a job so far: run here, skipped (another node had the period), lease lost mid-run. */
  stats(job: string): Readonly<JobCounts> {
    return { ...this.countsOf(job) };
  }

  /** /metrics lines: runs and skips per job on this node. */
  metrics(): string {
    const lines = ['# HELP hub_cluster_job_runs_total Background job passes this node ran, skipped (another node had them) or lost mid-run', '# TYPE hub_cluster_job_runs_total counter'];
    for (const [job, c] of this.counts) {
      for (const outcome of ['runs', 'skipped', 'lost'] as const) lines.push(`hub_cluster_job_runs_total{job="${labelValue(job)}",outcome="${outcome}"} ${c[outcome]}`);
    }
    return `${lines.join('\n')}\n`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const redis = this.redis;
    this.redis = undefined;
    await redis?.quit().catch(() => redis.disconnect());
  }

  private countsOf(job: string): JobCounts {
    let counts = this.counts.get(job);
    if (!counts) this.counts.set(job, counts = { runs: 0, skipped: 0, lost: 0 });
    return counts;
  }
}
