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
  crowdSamples: number;
  crowdAlerts: number;
  cameraStatusChanges: number;
  notifications: number;
}

/**
 * The hub's retention job. Deletes each data class once it is older than its configured retention (strictly
 * older: nothing younger is touched): the checkpoint's passes, images, alerts, findings and deliveries, and
 * the other features' growing series (crowd samples and alerts, camera status history, notifications).
 * Passes go in chunks and long series in one-day slices, so a years-deep backlog never holds one giant
 * transaction; pass image files go with their passes. Images can have a shorter life than their passes.
 * The audit trail is never touched: it is append-only and hash-chained (the PostgreSQL role cannot delete it).
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly ctx: HubContext, private readonly imagesDir: string) {}

  start(): void {
    const everyMs = this.ctx.config.checkpoint.retentionIntervalMinutes * 60_000;
    const tick = () => {
      this.running = this.runOnce().catch((error: Error) => this.ctx.log.error({ err: error }, 'retention failed'));
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
    const report: RetentionReport = {
      passes: 0, images: 0, alerts: 0, findings: 0, deliveries: 0, crowdSamples: 0, crowdAlerts: 0, cameraStatusChanges: 0, notifications: 0,
    };

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

    report.crowdSamples = await this.deleteSeriesBefore('crowd_samples', now - days.crowdSamples * DAY_MS);
    report.cameraStatusChanges = await this.deleteSeriesBefore('camera_status_changes', now - days.cameraStatusChanges * DAY_MS);
    // Counted from the end: an alert still open (ended_at null) is live, however long ago it started.
    report.crowdAlerts = Number((await db.deleteFrom('crowd_alerts').where('ended_at', '<', now - days.crowdAlerts * DAY_MS).executeTakeFirst()).numDeletedRows);
    report.notifications = Number((await db.deleteFrom('access_notifications').where('created_at', '<', now - days.notifications * DAY_MS).executeTakeFirst()).numDeletedRows);
    if (Object.values(report).some((n) => n > 0)) this.ctx.log.info({ retention: report }, 'retention applied');
    return report;
  }

  /** Deletes a time series' rows with `at` before the cutoff, one day of the backlog per statement. */
  private async deleteSeriesBefore(table: 'crowd_samples' | 'camera_status_changes', cutoff: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { oldest } = await this.ctx.db.selectFrom(table).select((eb) => eb.fn.min('at').as('oldest')).where('at', '<', cutoff).executeTakeFirstOrThrow();
      if (oldest === null || oldest === undefined) return deleted;
      const sliceEnd = Math.min(cutoff, Number(oldest) + DAY_MS);
      deleted += Number((await this.ctx.db.deleteFrom(table).where('at', '<', sliceEnd).executeTakeFirst()).numDeletedRows);
    }
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
