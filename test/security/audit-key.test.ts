import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase, type DatabaseKind } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { startAccessHub } from '../access/access-fixture.ts';

const run = promisify(execFile);

/** `npm run audit:verify` with the hub's configuration (its database, data folder and audit key). */
async function auditVerify(t: TestHub): Promise<{ code: number; stdout: string }> {
  const chainKey = (t.hub.ctx.config as { audit?: { chainKey?: string } }).audit?.chainKey;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, HUB_DATABASE_URL: t.database.url, HUB_DATA_DIR: t.database.dataDir,
    ...(chainKey ? { HUB_AUDIT_CHAIN_KEY: chainKey } : {}),
  };
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'api/audit/verify-cli.ts'], { env, timeout: 60_000 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** Everything an attacker holding only the database can do: drop the append-only triggers, rewrite, rehash. */
async function rewriteHistory(t: TestHub, kind: DatabaseKind, fromSeq: number, targetSeq: number): Promise<void> {
  const db = t.hub.ctx.db;
  if (kind === 'postgres') {
    await sql`alter table audit_events disable trigger user`.execute(db);
    await sql`alter table audit_anchor disable trigger user`.execute(db);
  } else {
    for (const name of ['audit_events_no_update', 'audit_events_no_delete', 'audit_anchor_forward', 'audit_anchor_no_delete']) await sql.raw(`drop trigger ${name}`).execute(db);
  }
  await db.updateTable('audit_events').set({ reason: 'nothing happened here' }).where('seq', '=', targetSeq).execute();
  const rows = (await sql<Record<string, any>>`select * from audit_events order by seq`.execute(db)).rows;
  const hasKeyColumn = rows.length > 0 && 'key_id' in rows[0]!;
  let prev = '0'.repeat(64);
  for (const row of rows) {
    if (Number(row.seq) >= fromSeq) {
      // The published, unkeyed rule: SHA-256 over the fields in order (the only rule computable without the key).
      const canonical = JSON.stringify([row.id, Number(row.at), row.user_id, row.username, row.department_id, row.action, row.target_type, row.target_id, row.result, row.reason, row.client_ip, row.details, prev]);
      const hash = createHash('sha256').update(canonical).digest('hex');
      await db.updateTable('audit_events').set({ prev_hash: prev, hash, ...(hasKeyColumn ? { key_id: null } : {}) } as never).where('seq', '=', Number(row.seq)).execute();
      prev = hash;
    } else {
      prev = row.hash;
    }
  }
  const last = rows[rows.length - 1]!;
  await db.updateTable('audit_anchor').set({ last_seq: Number(last.seq), last_hash: prev, event_count: rows.length }).execute();
}

async function withEvents(kind: DatabaseKind, body: (t: TestHub, seqs: number[]) => Promise<void>): Promise<void> {
  const t = await startAccessHub(kind);
  try {
    for (let i = 0; i < 5; i++) await t.hub.ctx.audit.append({ action: 'test.event', username: 'psViewer', targetType: 'camera', targetId: `cam-${i}`, reason: `event ${i}`, details: { i } });
    const seqs = (await t.hub.ctx.db.selectFrom('audit_events').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
    expect((await auditVerify(t)).code).toBe(0);
    await body(t, seqs);
  } finally {
    await t.stop();
  }
}

describeEachDatabase('keyed audit chain', (kind) => {
  it('security #8: an event rewritten in SQL with every later hash and the anchor recomputed fails audit:verify', async () => {
    await withEvents(kind, async (t, seqs) => {
      const target = seqs[seqs.length - 3]!;
      await rewriteHistory(t, kind, target, target);
      const cli = await auditVerify(t);
      expect(cli.stdout).toContain('BROKEN');
      expect(cli.stdout).toMatch(/unkeyed-event|content-changed/);
      expect(cli.code).toBe(1);
    });
  });

  it('security #8: the whole chain rewritten from the first event (no keyed row left) fails against the checkpoints kept outside the database', async () => {
    await withEvents(kind, async (t, seqs) => {
      await rewriteHistory(t, kind, seqs[0]!, seqs[2]!);
      const cli = await auditVerify(t);
      expect(cli.stdout).toContain('BROKEN');
      expect(cli.stdout).toMatch(/checkpoint-mismatch|unkeyed-event/);
      expect(cli.code).toBe(1);
    });
  });
});
