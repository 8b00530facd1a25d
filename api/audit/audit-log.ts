import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../kernel/db/dialect.ts';
import type { AuditEventsTable, Database } from '../kernel/db/tables/index.ts';
import { hmacHex, type AuditKey, type AuditKeyring } from './audit-keys.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** Id of the single audit_anchor row. */
export const ANCHOR_ID = 'chain';

export interface AuditEventInput {
  action: string;
  result?: AuditEventsTable['result'];
  userId?: string | null;
  username?: string | null;
  departmentId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  reason?: string | null;
  clientIp?: string | null;
  /** Action-specific facts. Never put credentials, tokens or password hashes here. */
  details?: Record<string, unknown> | null;
  at?: number;
}

type ChainedFields = Omit<AuditEventsTable, 'seq' | 'hash'>;

/**
 * The hash covers every stored field in a fixed order, so any edit of a row breaks the chain there.
 * Keyed events (key_id set) are an HMAC (SHA-256, or SM3 when configured) under that audit key, which the database does not hold, over
 * the fields and the key id: someone with the database alone cannot recompute them (security #8). Events
 * from before keying (key_id null) keep the plain SHA-256 rule; `key` is ignored for them.
 */
export function auditHash(row: ChainedFields, key?: AuditKey): string {
  const fields = [
    row.id, row.at, row.user_id, row.username, row.department_id, row.action, row.target_type, row.target_id,
    row.result, row.reason, row.client_ip, row.details, row.prev_hash,
  ];
  if (row.key_id === null) return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
  if (!key || key.id !== row.key_id) throw new Error(`audit key ${row.key_id} is not available`);
  return hmacHex(key, 'chain', JSON.stringify([...fields, row.key_id]));
}

/**
 * Append-only audit trail: each event carries the hash of the previous one, and the audit_anchor row
 * records the last seq/hash (so a truncated tail is detected too). Appends are serialised (one chain),
 * in-process by a promise queue and across hub processes by an advisory lock on PostgreSQL. The database
 * refuses UPDATE/DELETE on the trail (migration 0003_access).
 */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Kysely<Database>, readonly keys: AuditKeyring) {}

  append(event: AuditEventInput): Promise<string> {
    const run = this.tail.then(() => this.appendNow(event));
    this.tail = run.catch(() => {});
    return run;
  }

  /**
   * Appends inside the caller's transaction, so the event commits with what it records or not at all (a
   * background job that dies between its work and its audit would otherwise lose the event). The chain is
   * still one: PostgreSQL takes the same advisory lock, SQLite has one connection.
   */
  appendWithin(trx: Kysely<Database>, event: AuditEventInput): Promise<string> {
    return this.appendIn(trx, event);
  }

  private appendNow(event: AuditEventInput): Promise<string> {
    return this.db.transaction().execute((trx) => this.appendIn(trx, event));
  }

  private async appendIn(trx: Kysely<Database>, event: AuditEventInput): Promise<string> {
    if (isPostgres(trx)) await sql`select pg_advisory_xact_lock(7316001)`.execute(trx);
    const last = await trx.selectFrom('audit_events').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const row: ChainedFields = {
      id: randomUUID(),
      at: event.at ?? Date.now(),
      user_id: event.userId ?? null,
      username: event.username ?? null,
      department_id: event.departmentId ?? null,
      action: event.action,
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      result: event.result ?? 'ok',
      reason: event.reason ?? null,
      client_ip: event.clientIp ?? null,
      details: event.details ? JSON.stringify(event.details) : null,
      prev_hash: last?.hash ?? GENESIS_HASH,
      key_id: this.keys.current.id,
    };
    const hash = auditHash(row, this.keys.current);
    const inserted = await trx.insertInto('audit_events').values({ ...row, hash }).returning('seq').executeTakeFirstOrThrow();
    // The anchor moves with the chain, in the same transaction: a deleted tail leaves it pointing past the end.
    const seq = Number(inserted.seq);
    await trx.insertInto('audit_anchor')
      .values({ id: ANCHOR_ID, last_seq: seq, last_hash: hash, event_count: 1, updated_at: row.at })
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
        last_seq: seq, last_hash: hash, updated_at: row.at, event_count: eb(eb.ref('audit_anchor.event_count'), '+', 1),
      })))
      .execute();
    return row.id;
  }

  /** Waits for queued appends (used at shutdown). */
  async flush(): Promise<void> {
    await this.tail;
  }
}
