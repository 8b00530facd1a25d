import type { Kysely } from 'kysely';
import type { Database } from '../db/tables/index.ts';
import { auditHash, GENESIS_HASH } from './audit-log.ts';

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** First broken event: its seq and why. */
  brokenAt?: { seq: number; id: string; problem: 'content-changed' | 'chain-broken' };
}

/** Recomputes the chain from the first event; an edited, inserted or deleted row breaks it. */
export async function verifyAuditChain(db: Kysely<Database>, pageSize = 5_000): Promise<AuditVerification> {
  let previousHash = GENESIS_HASH;
  let lastSeq = -1;
  let checked = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>', lastSeq).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) return { ok: true, checked };
    for (const row of rows) {
      const { seq, hash, ...fields } = row;
      if (fields.prev_hash !== previousHash) return { ok: false, checked, brokenAt: { seq, id: row.id, problem: 'chain-broken' } };
      if (auditHash(fields) !== hash) return { ok: false, checked, brokenAt: { seq, id: row.id, problem: 'content-changed' } };
      previousHash = hash;
      lastSeq = seq;
      checked++;
    }
  }
}
