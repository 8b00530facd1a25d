import type { Kysely, Selectable } from 'kysely';
import type { Database, EvidenceExportsTable } from '../kernel/db/tables/index.ts';

export type EvidenceExport = Selectable<EvidenceExportsTable>;

/** The one owner of `evidence_exports`: export jobs from request to result. */
export class EvidenceRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: EvidenceExport): Promise<void> {
    await this.db.insertInto('evidence_exports').values(row).execute();
  }

  async find(id: string): Promise<EvidenceExport | undefined> {
    return this.normalise(await this.db.selectFrom('evidence_exports').selectAll().where('id', '=', id).executeTakeFirst());
  }

  /** A user's exports (all for admins), newest first. */
  async list(filter: { userId?: string; limit: number }): Promise<EvidenceExport[]> {
    let q = this.db.selectFrom('evidence_exports').selectAll();
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    return (await q.orderBy('created_at', 'desc').limit(filter.limit).execute()).map((r) => this.normalise(r)!);
  }

  /** Claims the oldest queued job for running (conditional update: one runner wins). */
  async claimNext(now: number): Promise<EvidenceExport | undefined> {
    for (;;) {
      const next = await this.db.selectFrom('evidence_exports').select(['id']).where('state', '=', 'queued').orderBy('created_at').limit(1).executeTakeFirst();
      if (!next) return undefined;
      const claimed = await this.db.updateTable('evidence_exports').set((eb) => ({ state: 'running', progress: 0, attempts: eb('attempts', '+', 1), updated_at: now }))
        .where('id', '=', next.id).where('state', '=', 'queued').executeTakeFirst();
      if (Number(claimed.numUpdatedRows) > 0) return this.find(next.id);
    }
  }

  /**
   * Jobs left `running` by a hub that stopped or died: queued again to be run from the start, or failed
   * once they used up their attempts. Returns how many were requeued.
   */
  async recoverInterrupted(maxAttempts: number, now: number, silentSince = Number.MAX_SAFE_INTEGER): Promise<number> {
    // silentSince: in a cluster, only jobs whose runner stopped writing (died) count as interrupted; the
    // running node touches its job every few seconds (touch()).
    await this.db.updateTable('evidence_exports').set({ state: 'failed', error_code: 'EXPORT_INTERRUPTED', error_message: 'the hub stopped during this export too often', updated_at: now, finished_at: now })
      .where('state', '=', 'running').where('attempts', '>=', maxAttempts).where('updated_at', '<', silentSince).execute();
    const requeued = await this.db.updateTable('evidence_exports').set({ state: 'queued', progress: 0, updated_at: now })
      .where('state', '=', 'running').where('updated_at', '<', silentSince).executeTakeFirst();
    return Number(requeued.numUpdatedRows);
  }

  /** The runner is alive: a running job's updated_at moves on. */
  async touch(id: string, now: number): Promise<void> {
    await this.db.updateTable('evidence_exports').set({ updated_at: now }).where('id', '=', id).where('state', '=', 'running').execute();
  }

  /** A job cut short by a stopping hub: back in the queue, its attempt not counted. */
  async requeue(id: string, now: number): Promise<void> {
    await this.db.updateTable('evidence_exports').set((eb) => ({ state: 'queued', progress: 0, attempts: eb('attempts', '-', 1), updated_at: now }))
      .where('id', '=', id).where('state', '=', 'running').execute();
  }

  async progress(id: string, progress: number, now: number): Promise<void> {
    await this.db.updateTable('evidence_exports').set({ progress, updated_at: now }).where('id', '=', id).where('state', '=', 'running').execute();
  }

  /** Done; inside the caller's transaction when given (so it commits with its audit event). */
  async finish(id: string, result: Pick<EvidenceExport, 'file_name' | 'bytes' | 'duration_ms' | 'sha256' | 'manifest'>, now: number, db: Kysely<Database> = this.db): Promise<void> {
    await db.updateTable('evidence_exports').set({ ...result, state: 'done', progress: 1, updated_at: now, finished_at: now, error_code: null, error_message: null })
      .where('id', '=', id).execute();
  }

  async fail(id: string, error: { code: string; message: string }, now: number, retry: boolean): Promise<void> {
    await this.db.updateTable('evidence_exports').set(retry
      ? { state: 'queued', progress: 0, error_code: error.code, error_message: error.message, updated_at: now }
      : { state: 'failed', error_code: error.code, error_message: error.message, updated_at: now, finished_at: now })
      .where('id', '=', id).execute();
  }

  /** Ids of finished or failed jobs created before `cutoff` (retention), oldest first. */
  async endedBefore(cutoff: number, limit: number): Promise<string[]> {
    const rows = await this.db.selectFrom('evidence_exports').select('id').where('state', 'in', ['done', 'failed']).where('created_at', '<', cutoff)
      .orderBy('created_at').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  async delete(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return Number((await this.db.deleteFrom('evidence_exports').where('id', 'in', ids).executeTakeFirst()).numDeletedRows);
  }

  private normalise(row: EvidenceExport | undefined): EvidenceExport | undefined {
    if (!row) return undefined;
    const num = (v: number | null) => (v === null ? null : Number(v));
    return {
      ...row, from_at: Number(row.from_at), to_at: Number(row.to_at), progress: Number(row.progress), attempts: Number(row.attempts), caption: Number(row.caption),
      bytes: num(row.bytes), duration_ms: num(row.duration_ms), created_at: Number(row.created_at), updated_at: Number(row.updated_at), finished_at: num(row.finished_at),
    };
  }
}
