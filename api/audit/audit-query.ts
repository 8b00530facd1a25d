import { sql, type Kysely, type SelectQueryBuilder, type Selectable } from 'kysely';
import type { CameraRepository } from '../../ingest/registry/camera-repository.ts';
import type { AuditEventsTable, Database } from '../kernel/db/tables/index.ts';
import type { AuditNames } from './audit-csv.ts';

/** Filters of the auditor's search; all optional, combined with AND. */
export interface AuditFilter {
  userId?: string;
  username?: string;
  departmentId?: string;
  /** Exact action, or a prefix ending in '*' ('access.*'). */
  action?: string;
  targetType?: string;
  targetId?: string;
  result?: AuditEventsTable['result'];
  /** Inclusive epoch ms. */
  from?: number;
  /** Exclusive epoch ms. */
  to?: number;
}

export type AuditRow = Selectable<AuditEventsTable>;

export function auditEventView(row: AuditRow) {
  return {
    seq: Number(row.seq), id: row.id, at: Number(row.at), userId: row.user_id, username: row.username, departmentId: row.department_id,
    action: row.action, targetType: row.target_type, targetId: row.target_id, result: row.result, reason: row.reason,
    clientIp: row.client_ip, details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null, hash: row.hash,
  };
}

export interface ViewingSession {
  sessionId: string;
  userId: string | null;
  username: string | null;
  departmentId: string | null;
  protocol: string | null;
  result: string;
  startedAt: number;
  /** null: no play.stop recorded (still playing, or the hub stopped first). */
  stoppedAt: number | null;
}

export interface DepartmentAccessRow {
  cameraId: string;
  cameraName: string | null;
  ownerDepartmentId: string | null;
  action: string;
  count: number;
  users: number;
  firstAt: number;
  lastAt: number;
}

/** Read side of the audit trail for auditors: search with a seq cursor, viewing sessions, department usage. */
export class AuditQuery {
  constructor(private readonly db: Kysely<Database>, private readonly cameras: Pick<CameraRepository, 'summaries'>) {}

  private filtered(filter: AuditFilter): SelectQueryBuilder<Database, 'audit_events', object> {
    let query = this.db.selectFrom('audit_events') as SelectQueryBuilder<Database, 'audit_events', object>;
    if (filter.userId) query = query.where('user_id', '=', filter.userId);
    if (filter.username) query = query.where('username', '=', filter.username);
    if (filter.departmentId) query = query.where('department_id', '=', filter.departmentId);
    if (filter.action?.endsWith('*')) {
      // substr, not LIKE: no wildcard escaping, and the same semantics on SQLite and PostgreSQL.
      const prefix = filter.action.slice(0, -1);
      query = query.where(sql<string>`substr(action, 1, ${prefix.length})`, '=', prefix);
    } else if (filter.action) query = query.where('action', '=', filter.action);
    if (filter.targetType) query = query.where('target_type', '=', filter.targetType);
    if (filter.targetId) query = query.where('target_id', '=', filter.targetId);
    if (filter.result) query = query.where('result', '=', filter.result);
    if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('at', '<', filter.to);
    return query;
  }

  /** Newest first; pass the returned cursor to get the next (older) page. */
  async search(filter: AuditFilter, page: { cursor?: number; limit?: number } = {}): Promise<{ events: AuditRow[]; nextCursor: number | null }> {
    const limit = page.limit ?? 100;
    let query = this.filtered(filter).selectAll();
    if (page.cursor !== undefined) query = query.where('seq', '<', page.cursor);
    const rows = await query.orderBy('seq', 'desc').limit(limit + 1).execute();
    const events = rows.slice(0, limit);
    return { events, nextCursor: rows.length > limit ? Number(events[events.length - 1].seq) : null };
  }

  /** Every matching event, oldest first, fetched in pages (CSV export). */
  async *iterate(filter: AuditFilter, pageSize = 1_000): AsyncGenerator<AuditRow> {
    let after = -1;
    for (;;) {
      const rows = await this.filtered(filter).selectAll().where('seq', '>', after).orderBy('seq').limit(pageSize).execute();
      if (rows.length === 0) return;
      yield* rows;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  /**
   * Who watched camera X between t1 and t2: play.start/play.stop events (appended by the relay with
   * details.sessionId) paired into sessions; a session counts when it overlaps [from, to).
   */
  async whoWatched(cameraId: string, from: number, to: number): Promise<ViewingSession[]> {
    const rows = await this.db.selectFrom('audit_events').selectAll()
      .where('target_type', '=', 'camera').where('target_id', '=', cameraId)
      .where('action', 'in', ['play.start', 'play.stop']).where('at', '<', to)
      .orderBy('seq').execute();
    const sessions = new Map<string, ViewingSession>();
    for (const row of rows) {
      const details = row.details ? (JSON.parse(row.details) as { sessionId?: string; protocol?: string }) : {};
      const sessionId = details.sessionId ?? row.id;
      if (row.action === 'play.start') {
        sessions.set(sessionId, {
          sessionId, userId: row.user_id, username: row.username, departmentId: row.department_id, protocol: details.protocol ?? null,
          result: row.result, startedAt: Number(row.at), stoppedAt: row.result === 'ok' ? null : Number(row.at),
        });
      } else {
        const session = sessions.get(sessionId);
        if (session && session.stoppedAt === null) session.stoppedAt = Number(row.at);
      }
    }
    // Sessions still open at `to` may have stopped later: that is their stop time.
    const open = new Map([...sessions].filter(([, s]) => s.stoppedAt === null));
    if (open.size > 0) {
      const later = await this.db.selectFrom('audit_events').select(['at', 'details', 'id'])
        .where('target_type', '=', 'camera').where('target_id', '=', cameraId).where('action', '=', 'play.stop').where('at', '>=', to)
        .orderBy('seq').execute();
      for (const row of later) {
        const sessionId = (row.details ? (JSON.parse(row.details) as { sessionId?: string }).sessionId : undefined) ?? row.id;
        const session = open.get(sessionId);
        if (session && session.stoppedAt === null) session.stoppedAt = Number(row.at);
      }
    }
    return [...sessions.values()].filter((s) => s.startedAt < to && (s.stoppedAt === null || s.stoppedAt >= from));
  }

  /** What department Y accessed in [from, to): camera events by its users, grouped by camera and action. */
  async departmentAccess(departmentId: string, from: number, to: number): Promise<DepartmentAccessRow[]> {
    const groups = await this.db.selectFrom('audit_events')
      .select((eb) => [
        'target_id', 'action', eb.fn.countAll().as('count'), eb.fn.count('user_id').distinct().as('users'),
        eb.fn.min('at').as('first_at'), eb.fn.max('at').as('last_at'),
      ])
      .where('department_id', '=', departmentId).where('target_type', '=', 'camera')
      .where('at', '>=', from).where('at', '<', to)
      .groupBy(['target_id', 'action']).orderBy('target_id').orderBy('action').execute();
    const ids = [...new Set(groups.map((g) => g.target_id).filter((id): id is string => id !== null))];
    const cameras = await this.cameras.summaries(ids);
    const byId = new Map(cameras.map((c) => [c.id, c]));
    return groups.filter((g) => g.target_id !== null).map((g) => ({
      cameraId: g.target_id!, cameraName: byId.get(g.target_id!)?.name ?? null, ownerDepartmentId: byId.get(g.target_id!)?.department_id ?? null,
      action: g.action, count: Number(g.count), users: Number(g.users), firstAt: Number(g.first_at), lastAt: Number(g.last_at),
    }));
  }

  /** Names for the ids an export shows: departments, cameras and users (read once per export). */
  async names(): Promise<AuditNames> {
    const [departments, cameras, users] = await Promise.all([
      this.db.selectFrom('departments').select(['id', 'name']).execute(),
      this.cameras.summaries(),
      this.db.selectFrom('users').select(['id', 'username']).execute(),
    ]);
    const byKind: Record<string, Map<string, string>> = {
      department: new Map(departments.map((d) => [d.id, d.name])),
      camera: new Map(cameras.map((c) => [c.id, c.name])),
      user: new Map(users.map((u) => [u.id, u.username])),
    };
    return {
      department: (id) => (id === null ? null : byKind.department!.get(id) ?? null),
      target: (type, id) => (type === null || id === null ? null : byKind[type]?.get(id) ?? null),
    };
  }
}
