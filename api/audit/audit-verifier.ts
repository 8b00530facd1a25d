import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/tables/index.ts';
import type { AuditKeyring } from './audit-keys.ts';
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
  | 'count-mismatch'
  /** An event keyed with an audit key the verifier was not given (or that does not exist). */
  | 'key-unknown'
  /** An unkeyed (plain SHA-256) event after a keyed one or after the first published checkpoint: rewritten without the key. */
  | 'unkeyed-event';

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
  /** Audit keys (current and retired): keyed events verify only with them. */
  keys?: AuditKeyring;
  /** A single pair given by hand (`--checkpoint SEQ:HASH`). */
  checkpoint?: AuditCheckpoint;
  /** Checkpoints published outside the database whose HMAC verified (audit-checkpoints.jsonl). */
  checkpoints?: AuditCheckpoint[];
}

/**
 * Recomputes the chain from the first event; an edited, inserted or deleted row breaks it. Keyed events are
 * HMACs under the audit key, so with the database alone they cannot be recomputed; events from before
 * keying verify with plain SHA-256, but none may follow a keyed event or the first published checkpoint.
 * The chain alone cannot see a removed tail, so the end is compared with the anchor row and with the
 * checkpoints kept outside the database, which also survive an attacker who rewrites the anchor.
 */
export async function verifyAuditChain(db: Kysely<Database>, pageSize = 5_000, options: VerifyOptions = {}): Promise<AuditVerification> {
  const pinned = new Map<number, string>();
  for (const c of [...(options.checkpoints ?? []), ...(options.checkpoint ? [options.checkpoint] : [])]) {
    // Two checkpoints naming different hashes for one seq: the chain cannot match both.
    if (pinned.has(c.seq) && pinned.get(c.seq) !== c.hash) pinned.set(c.seq, '');
    else pinned.set(c.seq, c.hash);
  }
  const published = options.checkpoints ?? [];
  const keyedAfter = published.length > 0 ? Math.min(...published.map((c) => c.seq)) : Infinity;
  let previousHash = GENESIS_HASH;
  let lastSeq = -1;
  let checked = 0;
  let keyedSeen = false;
  const pinnedSeen = new Set<number>();
  const broken = (seq: number, id: string, problem: AuditProblem): AuditVerification =>
    ({ ok: false, checked, lastSeq: lastSeq < 0 ? undefined : lastSeq, lastHash: lastSeq < 0 ? undefined : previousHash, brokenAt: { seq, id, problem } });
  for (;;) {
    const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>', lastSeq).orderBy('seq').limit(pageSize).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const { seq: rawSeq, hash, ...fields } = row;
      const seq = Number(rawSeq);
      if (fields.prev_hash !== previousHash) return broken(seq, row.id, 'chain-broken');
      const keyId = fields.key_id ?? null;
      if (keyId === null && (keyedSeen || seq > keyedAfter)) return broken(seq, row.id, 'unkeyed-event');
      const key = keyId === null ? undefined : options.keys?.find(keyId);
      if (keyId !== null && !key) return broken(seq, row.id, 'key-unknown');
      keyedSeen ||= keyId !== null;
      if (auditHash({ ...fields, key_id: keyId, at: Number(fields.at) }, key) !== hash) return broken(seq, row.id, 'content-changed');
      const expected = pinned.get(seq);
      if (expected !== undefined) {
        if (hash !== expected) return broken(seq, row.id, 'checkpoint-mismatch');
        pinnedSeen.add(seq);
      }
      previousHash = hash;
      lastSeq = seq;
      checked++;
    }
  }
  // Every checkpointed event must still be there (with its hash, checked above).
  for (const seq of [...pinned.keys()].sort((a, b) => a - b)) {
    if (!pinnedSeen.has(seq)) return broken(seq, '', seq > lastSeq ? 'tail-missing' : 'checkpoint-mismatch');
  }
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
