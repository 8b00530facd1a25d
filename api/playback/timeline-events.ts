import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/tables/index.ts';

export interface TimelineEvent {
  kind: 'pass' | 'alert' | 'crowd';
  id: string;
  at: number;
  /** Plate for passes and watchlist alerts, zone for crowd alerts. */
  label: string;
  /** The pass an alert is about. */
  passId: string | null;
}

const LIMIT = 2_000;

/**
 * Events marked on a camera's playback timeline within [from, to): plate passes, watchlist alerts (of the
 * viewer's department, all for admins) and crowd alerts. Read-only queries on the checkpoint and crowd
 * tables, bounded; the caller decided the viewer may see the camera's events.
 */
export async function timelineEvents(db: Kysely<Database>, cameraId: string, from: number, to: number, viewer: { departmentId: string; admin: boolean }): Promise<TimelineEvent[]> {
  const passes = await db.selectFrom('checkpoint_passes').select(['id', 'passed_at', 'plate'])
    .where('camera_id', '=', cameraId).where('passed_at', '>=', from).where('passed_at', '<', to).orderBy('passed_at').limit(LIMIT).execute();
  let alerts = db.selectFrom('checkpoint_alerts as a').innerJoin('checkpoint_watchlist as w', 'w.id', 'a.watchlist_id')
    .select(['a.id', 'a.passed_at', 'a.plate', 'a.pass_id'])
    .where('a.camera_id', '=', cameraId).where('a.passed_at', '>=', from).where('a.passed_at', '<', to);
  if (!viewer.admin) alerts = alerts.where('w.owner_department_id', '=', viewer.departmentId);
  const alertRows = await alerts.orderBy('a.passed_at').limit(LIMIT).execute();
  const crowd = await db.selectFrom('crowd_alerts').select(['id', 'raised_at', 'zone_id', 'peak_count'])
    .where('camera_id', '=', cameraId).where('raised_at', '>=', from).where('raised_at', '<', to).orderBy('raised_at').limit(LIMIT).execute();
  return [
    ...passes.map((p) => ({ kind: 'pass' as const, id: p.id, at: Number(p.passed_at), label: p.plate, passId: p.id })),
    ...alertRows.map((a) => ({ kind: 'alert' as const, id: a.id, at: Number(a.passed_at), label: a.plate, passId: a.pass_id })),
    ...crowd.map((c) => ({ kind: 'crowd' as const, id: c.id, at: Number(c.raised_at), label: `${c.zone_id} (${c.peak_count})`, passId: null })),
  ].sort((a, b) => a.at - b.at);
}
