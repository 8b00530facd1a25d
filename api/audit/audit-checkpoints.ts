import { appendFile, chmod, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../kernel/db/tables/index.ts';
import { PRIVATE_FILE_MODE } from '../kernel/fs/private-files.ts';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';
import { hmacHex, sameHex, type AuditKey, type AuditKeyring } from './audit-keys.ts';

/** Where the hub appends its checkpoints: beside the database, never in it. */
export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

export const checkpointFileOf = (dataDir: string): string => resolve(dataDir, CHECKPOINT_FILE);

/** The chain head at a time, with an HMAC under the audit key: one line of the checkpoint file and of the log. */
export interface PublishedCheckpoint {
  seq: number;
  hash: string;
  at: number;
  keyId: string;
  mac: string;
}

const macOf = (key: AuditKey, c: Omit<PublishedCheckpoint, 'mac'>): string => hmacHex(key, 'checkpoint', `audit-checkpoint\n${c.seq}\n${c.hash}\n${c.at}\n${c.keyId}`);

export function signCheckpoint(key: AuditKey, head: { seq: number; hash: string }, at: number): PublishedCheckpoint {
  const unsigned = { seq: head.seq, hash: head.hash, at, keyId: key.id };
  return { ...unsigned, mac: macOf(key, unsigned) };
}

/** Reads a checkpoint file; a line whose HMAC does not verify (or names an unknown key) is a forgery. */
export async function readCheckpoints(file: string, keys: AuditKeyring): Promise<{ checkpoints: PublishedCheckpoint[]; forged: number[] } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const checkpoints: PublishedCheckpoint[] = [];
  const forged: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let c: PublishedCheckpoint;
    try { c = JSON.parse(line) as PublishedCheckpoint; } catch { forged.push(index + 1); return; }
    const key = typeof c.keyId === 'string' ? keys.find(c.keyId) : undefined;
    if (!key || typeof c.mac !== 'string' || !sameHex(c.mac, macOf(key, { seq: c.seq, hash: c.hash, at: c.at, keyId: c.keyId }))) forged.push(index + 1);
    else checkpoints.push(c);
  });
  return { checkpoints, forged };
}

/**
 * Publishes the audit chain's head outside the database (security #8): at start, every
 * audit.checkpointIntervalMinutes when the chain moved, and at stop, a line is appended to
 * <dataDir>/audit-checkpoints.jsonl (0600) and logged. `npm run audit:verify` holds the chain to every line,
 * so history rewritten with database access alone (even with all hashes recomputed) no longer verifies.
 */
export class AuditCheckpointer {
  private readonly task: PeriodicTask<PublishedCheckpoint | undefined>;
  private lastSeq = -1;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: AuditKeyring,
    readonly file: string,
    intervalMinutes: number,
    private readonly log: Logger,
  ) {
    this.task = new PeriodicTask({ run: () => this.publish(), everyMs: intervalMinutes * 60_000, onError: (error) => log.error({ err: error }, 'audit checkpoint could not be published') });
  }

  async start(): Promise<void> {
    await this.publish();
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
    await this.publish();
  }

  /** Appends the current head if it moved since the last line this process wrote; returns what it wrote. */
  async publish(now = Date.now()): Promise<PublishedCheckpoint | undefined> {
    const head = await this.db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (!head || Number(head.seq) === this.lastSeq) return undefined;
    const checkpoint = signCheckpoint(this.keys.current, { seq: Number(head.seq), hash: head.hash }, now);
    await appendFile(this.file, `${JSON.stringify(checkpoint)}\n`, { mode: PRIVATE_FILE_MODE });
    if (this.lastSeq < 0) await chmod(this.file, PRIVATE_FILE_MODE).catch(() => {});
    this.lastSeq = checkpoint.seq;
    this.log.info({ auditCheckpoint: checkpoint }, 'audit checkpoint');
    return checkpoint;
  }
}
