import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/tables/index.ts';
import { ANCHOR_ID, auditHash, GENESIS_HASH } from './audit-log.ts';

export type AuditProblem =
  | 'content-changed'
  | 'chain-broken'
  /** The anchor (or a checkpoint) says events exist past the last one found: the tail was removed. */
  | 'tail-missing'
  /** Events exist but the anchor row is gone, or names another hash for the last seq. */
  | 'anchor-mismatch'
  /** A checkpoint recorded outside the database names another hash for its seq. */
  | 'checkpoint-mismatch'
  /** The anchor counted more appends than rows remain: events were deleted (even if more were appended since). */
  | 'count-mismatch';

/** A (seq, hash) pair recorded outside the database, e.g. printed by an earlier `npm run audit:verify`. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** Last event that verified (the tail when ok). */
  lastSeq?: number;
  lastHash?: string;
  /** First broken event: its seq and why (id is empty when the event itself is missing). */
  brokenAt?: { seq: number; id: string; problem: AuditProblem };
}

export interface VerifyOptions {
  checkpoint?: AuditCheckpoint;
}

/**
 * Recomputes the chain from the first event; an edited, inserted or deleted row breaks it. The chain
 * alone cannot see a removed tail, so the end is compared with the anchor row (and an optional external
 * checkpoint, which also survives an attacker who rewrites the anchor after disabling its triggers).
 */
export async function verifyAuditChain(db: Kysely<Database>, pageSize = 5_000, options: VerifyOptions = {}): Promise<AuditVerification> {
  const { checkpoint } = options;
  let previousHash = GENESIS_HASH;
  let lastSeq = -1;
  let checked = 0;
  let checkpointSeen = false;
  const broken = (seq: number, id: string, problem: AuditProblem): AuditVerification =>
    ({ ok: false, checked, lastSeq: lastSeq < 0 ? undefined : lastSeq, lastHash: lastSeq < 0 ? undefined : previousHash, brokenAt: { seq, id, problem } });
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>', lastSeq).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const { seq: rawSeq, hash, ...fields } = row;
      const seq = Number(rawSeq);
      if (fields.prev_hash !== previousHash) return broken(seq, row.id, 'chain-broken');
      if (auditHash({ ...fields, at: Number(fields.at) }) !== hash) return broken(seq, row.id, 'content-changed');
      if (checkpoint && seq === checkpoint.seq) {
        if (hash !== checkpoint.hash) return broken(seq, row.id, 'checkpoint-mismatch');
        checkpointSeen = true;
      }
      previousHash = hash;
      lastSeq = seq;
      checked++;
    }
  }
  // The checkpointed event must still be there (with its hash, checked above).
  if (checkpoint && !checkpointSeen) return broken(checkpoint.seq, '', checkpoint.seq > lastSeq ? 'tail-missing' : 'checkpoint-mismatch');
  const anchor = await db.selectFrom('audit_anchor').selectAll().where('id', '=', ANCHOR_ID).executeTakeFirst();
  if (!anchor) {
    if (checked > 0) return broken(lastSeq, '', 'anchor-mismatch');
  } else {
    const anchorSeq = Number(anchor.last_seq);
    if (anchorSeq > lastSeq) return broken(anchorSeq, '', 'tail-missing');
    if (anchorSeq === lastSeq && anchor.last_hash !== previousHash) return broken(anchorSeq, '', 'anchor-mismatch');
    // anchorSeq < lastSeq: events appended without moving the anchor, i.e. not through AuditLog.
    if (anchorSeq < lastSeq) return broken(lastSeq, '', 'anchor-mismatch');
    if (Number(anchor.event_count) !== checked) return broken(lastSeq, '', 'count-mismatch');
  }
  return { ok: true, checked, lastSeq: lastSeq < 0 ? undefined : lastSeq, lastHash: lastSeq < 0 ? undefined : previousHash };
}
