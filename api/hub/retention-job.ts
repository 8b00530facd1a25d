import type { Logger } from 'pino';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
import type { ClusterJobs } from '../kernel/cluster/cluster-jobs.ts';

const DAY_MS = 86_400_000;

/** Rows deleted per data class (passes, notifications, …), as the features report them. */
export type RetentionReport = Record<string, number>;

/** The cutoff of a retention of `days`: rows strictly older go, nothing younger is touched. */
export function daysBefore(now: number, days: number): number {
  return now - days * DAY_MS;
}

/**
 * The hub's retention pass: every `intervalMinutes`, each feature prunes its own tables (HubFeature.prune),
 * each after the retention days in its own config section. The audit trail is never pruned: it is
 * append-only and hash-chained (the PostgreSQL role cannot delete it).
 */
export class RetentionJob {
  private readonly task: PeriodicTask<RetentionReport | undefined>;

  constructor(private readonly features: readonly HubFeature[], intervalMinutes: number, private readonly log: Pick<Logger, 'info' | 'error'>, jobs?: ClusterJobs) {
    const everyMs = intervalMinutes * 60_000;
    this.task = new PeriodicTask({
      // Once cluster-wide per interval (the deletes are idempotent: a run overlapping another repeats nothing).
      run: async () => (jobs ? jobs.once('retention', everyMs, () => this.runOnce()) : this.runOnce()),
      everyMs,
      onError: (error) => log.error({ err: error }, 'retention failed'),
    });
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  async runOnce(now = Date.now()): Promise<RetentionReport> {
    const report: RetentionReport = {};
    for (const feature of this.features) Object.assign(report, await feature.prune?.(now));
    if (Object.values(report).some((n) => n > 0)) this.log.info({ retention: report }, 'retention applied');
    return report;
  }
}
