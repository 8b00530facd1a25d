import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { deleteSeriesBefore } from '../../api/kernel/db/delete-series.ts';
import { isPostgres } from '../../api/kernel/db/dialect.ts';
import type { Database } from '../../api/kernel/db/tables/index.ts';
import type { CrowdAlertsTable } from '../../api/kernel/db/tables/analytics.ts';
import type { CrowdAlertEnded, CrowdAlertRaised, CrowdSample } from './crowd-monitor.ts';
import type { CrowdZone } from './crowd-zone.ts';

export type CrowdAlertRow = Selectable<CrowdAlertsTable>;

/** Crowd zones, the crowd time series and crowd alerts in the database. */
export class CrowdStore {
  constructor(private readonly db: Kysely<Database>) {}

  async zonesOf(cameraId: string): Promise<CrowdZone[]> {
    const rows = await this.db.selectFrom('analytics_zones').selectAll().where('camera_id', '=', cameraId).orderBy('zone_id').execute();
    return rows.map((r) => ({ id: r.zone_id, name: r.name, polygon: JSON.parse(r.polygon), threshold: r.threshold, durationSeconds: r.duration_seconds,
      ...(r.area_square_metres === null ? {} : { areaSquareMetres: r.area_square_metres }),
      ...(r.density_threshold === null ? {} : { densityThreshold: r.density_threshold }) }));
  }

  /** Replaces a camera's zones as a whole (the PUT semantics). */
  async replaceZones(cameraId: string, zones: readonly CrowdZone[], now = Date.now()): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('analytics_zones').where('camera_id', '=', cameraId).execute();
      if (zones.length === 0) return;
      await trx.insertInto('analytics_zones').values(zones.map((z) => ({
        camera_id: cameraId, zone_id: z.id, name: z.name, polygon: JSON.stringify(z.polygon),
        threshold: z.threshold, duration_seconds: z.durationSeconds,
        area_square_metres: z.areaSquareMetres ?? null, density_threshold: z.densityThreshold ?? null, updated_at: now,
      }))).execute();
    });
  }

  /** One row per camera, zone and interval; a second write of the same interval keeps the higher peak. */
  async addSamples(samples: readonly CrowdSample[]): Promise<void> {
    if (samples.length === 0) return;
    await this.db.insertInto('crowd_samples')
      .values(samples.map((s) => ({ camera_id: s.cameraId, zone_id: s.zoneId, at: s.at, count: s.count })))
      .onConflict((oc) => oc.columns(['camera_id', 'zone_id', 'at']).doUpdateSet((eb) => ({
        // Scalar two-argument maximum: greatest() on PostgreSQL, max() on SQLite.
        count: eb.fn<number>(isPostgres(this.db) ? 'greatest' : 'max', [eb.ref('crowd_samples.count'), eb.ref('excluded.count')]),
      })))
      .execute();
  }

  async raiseAlert(alert: CrowdAlertRaised): Promise<CrowdAlertRow> {
    const row: CrowdAlertRow = {
      id: randomUUID(), camera_id: alert.cameraId, zone_id: alert.zoneId, started_at: alert.startedAt, raised_at: alert.raisedAt,
      ended_at: null, threshold: alert.threshold, peak_count: alert.count, trigger: alert.trigger,
    };
    await this.db.insertInto('crowd_alerts').values(row).execute();
    return row;
  }

  async endAlert(alert: CrowdAlertEnded): Promise<void> {
    await this.db.updateTable('crowd_alerts').set({ ended_at: alert.endedAt, peak_count: alert.peakCount })
      .where('camera_id', '=', alert.cameraId).where('zone_id', '=', alert.zoneId).where('ended_at', 'is', null).execute();
  }

  async openAlertCount(): Promise<number> {
    const row = await this.db.selectFrom('crowd_alerts').select((eb) => eb.fn.countAll<number>().as('n')).where('ended_at', 'is', null).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  series(cameraId: string, from: number, to: number, limit: number) {
    return this.db.selectFrom('crowd_samples').select(['zone_id', 'at', 'count'])
      .where('camera_id', '=', cameraId).where('at', '>=', from).where('at', '<', to)
      .orderBy('at').orderBy('zone_id').limit(limit).execute();
  }

  alerts(cameraId: string, from: number, to: number, limit: number): Promise<CrowdAlertRow[]> {
    return this.db.selectFrom('crowd_alerts').selectAll()
      .where('camera_id', '=', cameraId).where('raised_at', '>=', from).where('raised_at', '<', to)
      .orderBy('raised_at').limit(limit).execute();
  }

  /** Retention: samples before `samplesBefore`, alerts that ended before `alertsEndedBefore` (an open alert is live, however old). */
  async prune(samplesBefore: number, alertsEndedBefore: number): Promise<{ crowdSamples: number; crowdAlerts: number }> {
    const crowdSamples = await deleteSeriesBefore(this.db, 'crowd_samples', samplesBefore);
    const crowdAlerts = Number((await this.db.deleteFrom('crowd_alerts').where('ended_at', '<', alertsEndedBefore).executeTakeFirst()).numDeletedRows);
    return { crowdSamples, crowdAlerts };
  }
}
