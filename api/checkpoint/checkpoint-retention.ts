import { sql } from 'kysely';
import type { HubContext } from '../hub/hub-context.ts';
import { DayPartitions } from '../kernel/db/day-partitions.ts';
import { isPostgres } from '../kernel/db/dialect.ts';
import { daysBefore } from '../hub/retention-job.ts';
import { PassPictures } from './pass-pictures.ts';

const CHUNK = 2_000;

/** What the checkpoint's retention pass deleted, per data class. */
export type CheckpointRetentionReport = Record<'passes' | 'images' | 'alerts' | 'findings' | 'deliveries', number>;

/**
 * The checkpoint's part of the hub's retention pass: deletes its passes, images, alerts, findings and
 * finished deliveries once older than checkpoint.retentionDays. On PostgreSQL whole expired day partitions
 * are dropped; what remains past the cutoff goes in chunks, so a years-deep
 * backlog never holds one giant transaction; pass image files go with their passes. Images can have a
 * shorter life than their passes.
 */
export class CheckpointRetention {
  private readonly partitions: DayPartitions;
  private readonly pictures: PassPictures;

  constructor(private readonly ctx: HubContext, imagesDir: string) {
    this.partitions = new DayPartitions(ctx.db, 'checkpoint_passes', 'passed_at');
    this.pictures = new PassPictures(imagesDir);
  }

  async prune(now: number): Promise<CheckpointRetentionReport> {
    const days = this.ctx.config.checkpoint.retentionDays;
    const db = this.ctx.db;
    const report: CheckpointRetentionReport = { passes: 0, images: 0, alerts: 0, findings: 0, deliveries: 0 };

    const passCutoff = daysBefore(now, days.passes);
    if (isPostgres(db)) report.passes += await this.dropExpiredDays(passCutoff);
    // What is left past the cutoff (SQLite; on PostgreSQL the day that straddles the cutoff and the default partition) goes row by row.
    for (;;) {
      const old = await db.selectFrom('checkpoint_passes').select(['id', 'crop_image_path', 'scene_image_path'])
        .where('passed_at', '<', passCutoff).limit(CHUNK).execute();
      if (old.length === 0) break;
      await this.removeImages(old.flatMap((r) => [r.crop_image_path, r.scene_image_path]));
      report.passes += Number((await db.deleteFrom('checkpoint_passes').where('id', 'in', old.map((r) => r.id)).executeTakeFirst()).numDeletedRows);
    }

    const imageCutoff = daysBefore(now, days.images);
    for (;;) {
      const old = await db.selectFrom('checkpoint_passes').select(['id', 'crop_image_path', 'scene_image_path'])
        .where('passed_at', '<', imageCutoff)
        .where((eb) => eb.or([eb('crop_image_path', 'is not', null), eb('scene_image_path', 'is not', null)]))
        .limit(CHUNK).execute();
      if (old.length === 0) break;
      report.images += await this.removeImages(old.flatMap((r) => [r.crop_image_path, r.scene_image_path]));
      await db.updateTable('checkpoint_passes').set({ crop_image_path: null, scene_image_path: null }).where('id', 'in', old.map((r) => r.id)).execute();
    }
    // Received pictures share volumes by day: a day's volumes go once no pass of that day names a picture
    // (all past the image cutoff, or deleted with their passes).
    await this.pictures.removeExpiredVolumes(Math.max(imageCutoff, passCutoff));

    report.alerts = Number((await db.deleteFrom('checkpoint_alerts').where('raised_at', '<', daysBefore(now, days.alerts)).executeTakeFirst()).numDeletedRows);
    report.findings = Number((await db.deleteFrom('checkpoint_findings').where('detected_at', '<', daysBefore(now, days.findings)).executeTakeFirst()).numDeletedRows);
    const deliveryCutoff = daysBefore(now, days.deliveries);
    report.deliveries = Number((await db.deleteFrom('checkpoint_deliveries')
      .where((eb) => eb.or([eb('delivered_at', '<', deliveryCutoff), eb('failed_at', '<', deliveryCutoff)])).executeTakeFirst()).numDeletedRows);
    return report;
  }

  /**
   * PostgreSQL: whole day partitions older than the cutoff are dropped, not deleted from: no row is visited,
   * no dead tuples are left for vacuum. Their pictures go first (a small partial index finds them). The
   * count of a dropped day is PostgreSQL's statistics (exact for a never-analysed partition).
   */
  private async dropExpiredDays(cutoff: number): Promise<number> {
    const db = this.ctx.db;
    let dropped = 0;
    for (const day of await this.partitions.expired(cutoff)) {
      const table = sql.id(day.name);
      const images = await sql<{ crop_image_path: string | null; scene_image_path: string | null }>`
        select crop_image_path, scene_image_path from ${table} where crop_image_path is not null or scene_image_path is not null`.execute(db);
      await this.removeImages(images.rows.flatMap((r) => [r.crop_image_path, r.scene_image_path]));
      const estimate = await sql<{ n: number }>`select reltuples::bigint as n from pg_class where oid = ${day.name}::regclass`.execute(db);
      const rows = Number(estimate.rows[0]?.n ?? -1);
      dropped += rows >= 0 ? rows : Number((await sql<{ n: number }>`select count(*)::bigint as n from ${table}`.execute(db)).rows[0].n);
      await this.partitions.drop(day);
      this.ctx.log.info({ partition: day.name }, 'checkpoint day partition dropped by retention');
    }
    return dropped;
  }

  /** Deletes image files (a volume's pictures go with their day); a stored path outside the images folder is never touched. */
  private removeImages(paths: Array<string | null>): Promise<number> {
    return this.pictures.remove(paths);
  }
}
