import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { verifyAuditChain } from '../../api/audit/audit-verifier.ts';
import { describeEachDatabase, type DatabaseKind } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { startAccessHub } from '../access/access-fixture.ts';

const run = promisify(execFile);

/** `npm run audit:verify` as an operator runs it: same database configuration as the hub and its audit key. */
async function auditVerify(t: TestHub, ...args: string[]): Promise<{ code: number; stdout: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME, HUB_DATABASE_URL: t.database.url, HUB_DATA_DIR: t.database.dataDir,
    // The audit key (security #8): the one secret the verifier needs.
    HUB_AUDIT_CHAIN_KEY: t.hub.ctx.config.audit.chainKey,
  };
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'api/audit/verify-cli.ts', ...args], { env, timeout: 60_000 });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** What an attacker with database access does first: switch the append-only triggers off. */
async function disableAppendOnly(t: TestHub, kind: DatabaseKind): Promise<void> {
  const db = t.hub.ctx.db;
  if (kind === 'postgres') {
    await sql`alter table audit_events disable trigger user`.execute(db);
    await sql`alter table audit_anchor disable trigger user`.execute(db);
  } else {
    for (const name of ['audit_events_no_update', 'audit_events_no_delete', 'audit_anchor_forward', 'audit_anchor_no_delete']) await sql.raw(`drop trigger ${name}`).execute(db);
  }
}

async function withHub(kind: DatabaseKind, body: (t: TestHub) => Promise<void>): Promise<void> {
  const t = await startAccessHub(kind);
  try {
    for (let i = 0; i < 5; i++) {
      await t.hub.ctx.audit.append({ action: 'test.event', userId: t.users.psViewer.id, username: 'psViewer', departmentId: t.departments.ps, targetType: 'camera', targetId: `cam-${i}`, reason: `event ${i}`, clientIp: '127.0.0.1', details: { i } });
    }
    await body(t);
  } finally {
    await t.stop();
  }
}

const seqs = async (t: TestHub) => (await t.hub.ctx.db.selectFrom('audit_events').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));

describeEachDatabase('audit chain', (kind) => {
  it('the database refuses UPDATE and DELETE of audit events and moving the anchor back', async () => {
    await withHub(kind, async (t) => {
      const db = t.hub.ctx.db;
      await expect(db.updateTable('audit_events').set({ reason: 'rewritten' }).where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
      await expect(db.deleteFrom('audit_events').where('seq', '=', 1).execute()).rejects.toThrow(/append-only/);
      await expect(db.deleteFrom('audit_anchor').execute()).rejects.toThrow();
      await expect(db.updateTable('audit_anchor').set({ last_seq: 1 }).execute()).rejects.toThrow(/forward/);
      if (kind === 'postgres') await expect(sql`truncate audit_events`.execute(db)).rejects.toThrow(/append-only/);
      expect((await verifyAuditChain(db, 5_000, { keys: t.hub.ctx.audit.keys })).ok).toBe(true);
      const ok = await auditVerify(t);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(new RegExp(`^ok ${(await seqs(t)).length} events \\(checkpoint \\d+:[0-9a-f]{64}\\)`));
    });
  });

  if (kind === 'postgres') {
    it('a hub role that does not own the table (SELECT, INSERT only) cannot UPDATE or DELETE audit rows', async () => {
      await withHub(kind, async (t) => {
        const role = `hub_app_${randomBytes(4).toString('hex')}`;
        await t.hub.ctx.db.connection().execute(async (conn) => {
          await sql.raw(`create role ${role} nologin; grant select, insert on audit_events to ${role}`).execute(conn);
          try {
            await sql.raw(`set role ${role}`).execute(conn);
            await expect(sql`update audit_events set reason = 'x'`.execute(conn)).rejects.toThrow(/permission denied/);
            await expect(sql`delete from audit_events`.execute(conn)).rejects.toThrow(/permission denied/);
            await expect(sql`truncate audit_events`.execute(conn)).rejects.toThrow(/permission denied/);
            expect((await sql<{ n: number }>`select count(*)::int as n from audit_events`.execute(conn)).rows[0].n).toBeGreaterThan(0);
          } finally {
            await sql.raw(`reset role; drop owned by ${role}; drop role ${role}`).execute(conn);
          }
        });
      });
    });
  }

  it('detects a row changed directly in the database, and only while it is changed', async () => {
    await withHub(kind, async (t) => {
      const db = t.hub.ctx.db;
      await disableAppendOnly(t, kind);
      const target = (await seqs(t))[3];
      const original = await db.selectFrom('audit_events').select('reason').where('seq', '=', target).executeTakeFirstOrThrow();
      await db.updateTable('audit_events').set({ reason: 'nothing to see here' }).where('seq', '=', target).execute();
      expect((await verifyAuditChain(db, 5_000, { keys: t.hub.ctx.audit.keys })).brokenAt).toMatchObject({ seq: target, problem: 'content-changed' });
      const cli = await auditVerify(t);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain(`BROKEN at seq ${target}`);
      expect(cli.stdout).toContain('content-changed');
      // Recomputing the row's own hash does not help: the next event names the old one.
      await db.updateTable('audit_events').set({ reason: original.reason }).where('seq', '=', target).execute();
      expect((await auditVerify(t)).code).toBe(0);
    });
  });

  it('detects a deleted event in the middle and a deleted tail, even after later appends', async () => {
    await withHub(kind, async (t) => {
      const db = t.hub.ctx.db;
      const checkpoint = /checkpoint (\S+)\)/.exec((await auditVerify(t)).stdout)![1];
      await disableAppendOnly(t, kind);
      const all = await seqs(t);
      await db.deleteFrom('audit_events').where('seq', '>=', all[all.length - 2]).execute();
      expect((await verifyAuditChain(db, 5_000, { keys: t.hub.ctx.audit.keys })).brokenAt).toMatchObject({ seq: all[all.length - 1], problem: 'tail-missing' });
      // The hub keeps appending after the truncation: the chain links up again, the anchor's count does not.
      await t.hub.ctx.audit.append({ action: 'test.after', reason: 'after truncation' });
      expect((await verifyAuditChain(db, 5_000, { keys: t.hub.ctx.audit.keys })).brokenAt?.problem).toBe('count-mismatch');
      // An attacker who also rewrites the anchor is caught by a checkpoint kept outside the database.
      const tail = await db.selectFrom('audit_events').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      await db.updateTable('audit_anchor').set({ last_seq: tail.seq, last_hash: tail.hash, event_count: (await seqs(t)).length }).execute();
      expect((await verifyAuditChain(db, 5_000, { keys: t.hub.ctx.audit.keys })).ok).toBe(true);
      const cli = await auditVerify(t, '--checkpoint', checkpoint);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toMatch(/checkpoint-mismatch|tail-missing/);

      await db.deleteFrom('audit_events').where('seq', '=', all[1]).execute();
      expect((await verifyAuditChain(db, 5_000, { keys: t.hub.ctx.audit.keys })).brokenAt).toMatchObject({ seq: all[2], problem: 'chain-broken' });
    });
  });
});
