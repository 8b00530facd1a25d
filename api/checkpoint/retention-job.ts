import { rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { HubContext } from '../hub/hub-context.ts';

const DAY_MS = 86_400_000;
const CHUNK = 2_000;

export interface RetentionReport {
  passes: number;
  images: number;
  alerts: number;
  findings: number;
  deliveries: number;
}

/**
 * Deletes each data class once it is older than its configured retention (strictly older: nothing younger is
 * touched). Passes go in chunks so that a years-deep backlog never holds one giant transaction; their image
 * files go with them. Images can have a shorter life than the pass records that point at them.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly ctx: HubContext, private readonly imagesDir: string) {}

  start(): void {
    const everyMs = this.ctx.config.checkpoint.retentionIntervalMinutes * 60_000;
    const tick = () => {
      this.running = this.runOnce().catch((error: Error) => this.ctx.log.error({ err: error }, 'checkpoint retention failed'));
    };
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(now = Date.now()): Promise<RetentionReport> {
    const days = this.ctx.config.checkpoint.retentionDays;
    const db = this.ctx.db;
    const report: RetentionReport = { passes: 0, images: 0, alerts: 0, findings: 0, deliveries: 0 };

    const passCutoff = now - days.passes * DAY_MS;
    for (;;) {
      const old = await db.selectFrom('checkpoint_passes').select(['id', 'crop_image_path', 'scene_image_path'])
        .where('passed_at', '<', passCutoff).limit(CHUNK).execute();
      if (old.length === 0) break;
      await this.removeImages(old.flatMap((r) => [r.crop_image_path, r.scene_image_path]));
      report.passes += Number((await db.deleteFrom('checkpoint_passes').where('id', 'in', old.map((r) => r.id)).executeTakeFirst()).numDeletedRows);
    }

    const imageCutoff = now - days.images * DAY_MS;
    for (;;) {
      const old = await db.selectFrom('checkpoint_passes').select(['id', 'crop_image_path', 'scene_image_path'])
        .where('passed_at', '<', imageCutoff)
        .where((eb) => eb.or([eb('crop_image_path', 'is not', null), eb('scene_image_path', 'is not', null)]))
        .limit(CHUNK).execute();
      if (old.length === 0) break;
      report.images += await this.removeImages(old.flatMap((r) => [r.crop_image_path, r.scene_image_path]));
      await db.updateTable('checkpoint_passes').set({ crop_image_path: null, scene_image_path: null }).where('id', 'in', old.map((r) => r.id)).execute();
    }

    const alertCutoff = now - days.alerts * DAY_MS;
    report.alerts = Number((await db.deleteFrom('checkpoint_alerts').where('raised_at', '<', alertCutoff).executeTakeFirst()).numDeletedRows);
    const findingCutoff = now - days.findings * DAY_MS;
    report.findings = Number((await db.deleteFrom('checkpoint_findings').where('detected_at', '<', findingCutoff).executeTakeFirst()).numDeletedRows);
    const deliveryCutoff = now - days.deliveries * DAY_MS;
    report.deliveries = Number((await db.deleteFrom('checkpoint_deliveries')
      .where((eb) => eb.or([eb('delivered_at', '<', deliveryCutoff), eb('failed_at', '<', deliveryCutoff)])).executeTakeFirst()).numDeletedRows);
    if (Object.values(report).some((n) => n > 0)) this.ctx.log.info({ retention: report }, 'checkpoint retention applied');
    return report;
  }

  /** Deletes image files; a stored path that resolves outside the images folder is never touched. */
  private async removeImages(paths: Array<string | null>): Promise<number> {
    let removed = 0;
    for (const path of paths) {
      if (!path) continue;
      const full = resolve(this.imagesDir, path);
      if (!full.startsWith(this.imagesDir + sep)) continue;
      await rm(full, { force: true });
      removed++;
    }
    return removed;
  }
}
