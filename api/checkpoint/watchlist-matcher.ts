import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { authorizeDepartment } from '../access/camera-access.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { CheckpointWatchlistTable } from '../kernel/db/tables/checkpoint.ts';
import type { CheckpointAlert } from './checkpoint-alert.ts';
import type { PassRow } from './pass-record.ts';
import { patternToRegExp } from '../../analytics/vocabulary/plate-text.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';

interface ActiveEntry {
  entry: Selectable<CheckpointWatchlistTable>;
  test: (plate: string) => boolean;
}

/** Entries are re-read at most this often, and at once after a change made through this hub. */
const CACHE_MS = 10_000;

/**
 * Matches freshly inserted passes against the active watchlist and raises alerts: a row, an event for the
 * SSE streams and a durable webhook delivery. Runs right after the ingest commit, so an alert is out within
 * milliseconds of the pass arriving. An entry only matches passes on cameras its owner department may see
 * (scope `events`: own camera or an active grant), so a watchlist never learns about passes its owner could
 * not search for (security #1); the alert belongs to that department (ownerDepartmentId).
 */
export class WatchlistMatcher {
  private cache: { at: number; entries: ActiveEntry[] } | undefined;

  constructor(private readonly ctx: HubContext, private readonly delivery: WebhookDelivery) {}

  invalidate(): void {
    this.cache = undefined;
  }

  private async active(now: number): Promise<ActiveEntry[]> {
    if (this.cache && now - this.cache.at < CACHE_MS) return this.cache.entries;
    const rows = await this.ctx.db.selectFrom('checkpoint_watchlist').selectAll()
      .where('removed_at', 'is', null).where('valid_until', '>', now).execute();
    const entries = rows.map((entry) => {
      const regex = entry.match_kind === 'pattern' ? patternToRegExp(entry.plate_pattern) : undefined;
      return { entry, test: regex ? (plate: string) => regex.test(plate) : (plate: string) => plate === entry.plate_pattern };
    });
    this.cache = { at: now, entries };
    return entries;
  }

  async matchPasses(rows: PassRow[], now = Date.now()): Promise<CheckpointAlert[]> {
    const entries = await this.active(now);
    if (entries.length === 0) return [];
    const alerts: CheckpointAlert[] = [];
    const webhook = this.ctx.config.checkpoint.alertWebhookUrl;
    const sees = new Map<string, Promise<boolean>>();
    const ownerSees = (departmentId: string, cameraId: string) => {
      const key = `${departmentId}\n${cameraId}`;
      let decision = sees.get(key);
      if (!decision) {
        decision = authorizeDepartment(this.ctx, departmentId, cameraId, 'events', now).then((d) => d.allowed);
        sees.set(key, decision);
      }
      return decision;
    };
    for (const row of rows) {
      for (const { entry, test } of entries) {
        if (row.plate === '' || row.passed_at < entry.valid_from || row.passed_at >= entry.valid_until || !test(row.plate)) continue;
        if (!(await ownerSees(entry.owner_department_id, row.camera_id))) continue;
        const alert: CheckpointAlert = {
          id: randomUUID(), watchlistId: entry.id, ownerDepartmentId: entry.owner_department_id, reason: entry.reason, passId: row.id, plate: row.plate,
          cameraId: row.camera_id, passedAt: row.passed_at, raisedAt: now, acknowledgedAt: null, acknowledgedBy: null, ackNote: null,
        };
        // The alert and its webhook commit together; the pair (watchlist, pass) is unique, so matching a pass
        // again (a retried batch after a node died mid-ingest) raises nothing twice.
        const raised = await this.ctx.db.transaction().execute(async (trx) => {
          const inserted = await trx.insertInto('checkpoint_alerts').values({
            id: alert.id, watchlist_id: alert.watchlistId, pass_id: alert.passId, plate: alert.plate, camera_id: alert.cameraId,
            passed_at: alert.passedAt, raised_at: now, acknowledged_at: null, acknowledged_by: null, ack_note: null,
          }).onConflict((oc) => oc.columns(['watchlist_id', 'pass_id']).doNothing()).returning('id').execute();
          if (inserted.length === 0) return false;
          if (webhook) await this.delivery.enqueueWithin(trx, 'alert', webhook, { type: 'checkpoint.alert', alert });
          return true;
        });
        if (raised) alerts.push(alert);
      }
    }
    if (webhook && alerts.length > 0) this.delivery.kick();
    for (const alert of alerts) this.ctx.events.emit('checkpoint.alert', alert);
    return alerts;
  }
}
