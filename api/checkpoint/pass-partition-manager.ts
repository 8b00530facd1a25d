import type { HubContext } from '../hub/hub-context.ts';
import { daysBefore } from '../hub/retention-job.ts';
import { DayPartitions } from '../kernel/db/day-partitions.ts';
import { isPostgres } from '../kernel/db/dialect.ts';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';

/**
 * PostgreSQL: keeps checkpoint_passes' day partitions ahead of the clock (today + aheadDays), and adopts
 * stray days — rows that landed in the default partition because no day partition covered them (a backlog
 * pushed late, a device clock off by days) — into partitions of their own, so that retention can drop
 * them whole too. Days already past retention stay in the default partition for retention to delete.
 * SQLite: nothing to do.
 */
export class PassPartitionManager {
  private readonly partitions: DayPartitions;
  private readonly task: PeriodicTask<string[]>;

  constructor(private readonly ctx: HubContext) {
    this.partitions = new DayPartitions(ctx.db, 'checkpoint_passes', 'passed_at');
    this.task = new PeriodicTask({
      run: () => this.runOnce(),
      everyMs: ctx.config.checkpoint.partitions.checkMinutes * 60_000,
      onError: (error) => ctx.log.error({ err: error }, 'checkpoint partition upkeep failed'),
    });
  }

  get enabled(): boolean {
    return isPostgres(this.ctx.db);
  }

  /** Creates what is missing now; returns the partitions created. */
  async runOnce(now = Date.now()): Promise<string[]> {
    if (!this.enabled) return [];
    await this.partitions.ensureDefault();
    const created = await this.partitions.ensureAhead(now, this.ctx.config.checkpoint.partitions.aheadDays);
    const keepFrom = daysBefore(now, this.ctx.config.checkpoint.retentionDays.passes);
    const strays = (await this.partitions.strayDays()).filter((day) => day + 86_400_000 > keepFrom);
    created.push(...await this.partitions.ensureDays(strays));
    if (created.length > 0) this.ctx.log.info({ partitions: created }, 'checkpoint day partitions created');
    return created;
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    await this.runOnce();
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }
}
