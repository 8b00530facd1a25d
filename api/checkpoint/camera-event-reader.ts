import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/tables/index.ts';

export interface CameraPass {
  id: string;
  passedAt: number;
  plate: string;
}

export interface CameraAlert {
  id: string;
  passId: string;
  passedAt: number;
  plate: string;
}

/**
 * The checkpoint feature's read side for one camera over a time: its passes, and its watchlist alerts as
 * the alert rules allow (security #1: a department sees only alerts of its own watchlists; admins all).
 * Other features (the playback timeline) read passes and alerts through it instead of running SQL on the
 * checkpoint tables themselves. Bounded by `limit`, oldest first.
 */
export class CameraEventReader {
  constructor(private readonly db: Kysely<Database>) {}

  async passes(cameraId: string, from: number, to: number, limit: number): Promise<CameraPass[]> {
    const rows = await this.db.selectFrom('checkpoint_passes').select(['id', 'passed_at', 'plate'])
      .where('camera_id', '=', cameraId).where('passed_at', '>=', from).where('passed_at', '<', to).orderBy('passed_at').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, passedAt: Number(r.passed_at), plate: r.plate }));
  }

  async alerts(cameraId: string, from: number, to: number, viewer: { departmentId: string; admin: boolean }, limit: number): Promise<CameraAlert[]> {
    let query = this.db.selectFrom('checkpoint_alerts as a').innerJoin('checkpoint_watchlist as w', 'w.id', 'a.watchlist_id')
      .select(['a.id', 'a.passed_at', 'a.plate', 'a.pass_id'])
      .where('a.camera_id', '=', cameraId).where('a.passed_at', '>=', from).where('a.passed_at', '<', to);
    if (!viewer.admin) query = query.where('w.owner_department_id', '=', viewer.departmentId);
    const rows = await query.orderBy('a.passed_at').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, passId: r.pass_id, passedAt: Number(r.passed_at), plate: r.plate }));
  }
}
