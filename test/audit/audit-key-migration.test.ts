import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { sql } from 'kysely';
import pino from 'pino';
import { expect, it } from 'vitest';
import { AuditCheckpointer, checkpointFileOf, readCheckpoints } from '../../api/audit/audit-checkpoints.ts';
import { AuditKeyring } from '../../api/audit/audit-keys.ts';
import { ANCHOR_ID, AuditLog, auditHash, GENESIS_HASH } from '../../api/audit/audit-log.ts';
import { verifyAuditChain } from '../../api/audit/audit-verifier.ts';
import { openDatabase } from '../../api/kernel/db/database.ts';
import { migrateToLatest } from '../../api/kernel/db/migrator.ts';
import { createScratchDatabase, describeEachDatabase } from '../helpers/databases.ts';

const secret = () => randomBytes(32).toString('base64url');

/** Appends an event the way hubs before the audit key did: key_id null, plain SHA-256. */
async function appendLegacy(db: ReturnType<typeof openDatabase>['db'], action: string): Promise<void> {
  const last = await db.selectFrom('audit_events').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const row = {
    id: randomUUID(), at: Date.now(), user_id: null, username: 'old', department_id: null, action, target_type: null, target_id: null,
    result: 'ok' as const, reason: null, client_ip: null, details: null, prev_hash: last?.hash ?? GENESIS_HASH, key_id: null,
  };
  const hash = auditHash(row);
  const inserted = await db.insertInto('audit_events').values({ ...row, hash }).returning('seq').executeTakeFirstOrThrow();
  await db.insertInto('audit_anchor').values({ id: ANCHOR_ID, last_seq: Number(inserted.seq), last_hash: hash, event_count: 1, updated_at: row.at })
    .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ last_seq: Number(inserted.seq), last_hash: hash, event_count: eb(eb.ref('audit_anchor.event_count'), '+', 1) })))
    .execute();
}

describeEachDatabase('audit key migration and rotation', (kind) => {
  it('a chain from before keying verifies (old rows unkeyed, new rows keyed), stays pinned by checkpoints, and verifies across key rotations (SM3 included)', async () => {
    const scratch = await createScratchDatabase(kind);
    const database = openDatabase({ url: scratch.url, dataDir: scratch.dataDir, poolSize: 2 });
    try {
      const db = database.db;
      await migrateToLatest(db);
      for (const action of ['old.one', 'old.two', 'old.three']) await appendLegacy(db, action);

      // The first keyed hub: checkpoint at start (the legacy head), then keyed events.
      const first = secret();
      const keys = new AuditKeyring(first);
      const checkpointer = new AuditCheckpointer(db, keys, checkpointFileOf(scratch.dataDir), 60, pino({ level: 'silent' }));
      await checkpointer.publish();
      const audit = new AuditLog(db, keys);
      await audit.append({ action: 'new.one' });
      await checkpointer.publish();
      const published = async (ring: AuditKeyring) => (await readCheckpoints(checkpointFileOf(scratch.dataDir), ring))!;
      expect((statSync(checkpointFileOf(scratch.dataDir)).mode & 0o777).toString(8)).toBe('600');
      expect((await published(keys)).forged).toEqual([]);
      expect(await verifyAuditChain(db, 5_000, { keys, checkpoints: (await published(keys)).checkpoints })).toMatchObject({ ok: true, checked: 4 });
      // Without the key the keyed events cannot be checked at all.
      expect((await verifyAuditChain(db)).brokenAt?.problem).toBe('key-unknown');

      // Rotation: a new current key, the old one kept as previous; both generations verify.
      const second = secret();
      const rotated = new AuditKeyring(second, [first]);
      await new AuditLog(db, rotated).append({ action: 'new.two' });
      await new AuditCheckpointer(db, rotated, checkpointFileOf(scratch.dataDir), 60, pino({ level: 'silent' })).publish();
      expect((await published(rotated)).checkpoints.map((c) => c.keyId)).toEqual([keys.current.id, keys.current.id, rotated.current.id]);
      expect(await verifyAuditChain(db, 5_000, { keys: rotated, checkpoints: (await published(rotated)).checkpoints })).toMatchObject({ ok: true, checked: 5 });

      // SM3 (GB/T 32905) instead of SHA-256 is a rotation like any other: older events keep verifying.
      const national = new AuditKeyring(secret(), [first, second], 'sm3');
      expect(national.current.id).toMatch(/^sm3-k/);
      await new AuditLog(db, national).append({ action: 'new.sm3' });
      await new AuditCheckpointer(db, national, checkpointFileOf(scratch.dataDir), 60, pino({ level: 'silent' })).publish();
      const all = (await published(national)).checkpoints;
      expect(all).toHaveLength(4);
      expect(await verifyAuditChain(db, 5_000, { keys: national, checkpoints: all })).toMatchObject({ ok: true, checked: 6 });
      // Forgetting a retired key fails the events it keyed, and its checkpoints read as forged.
      expect((await verifyAuditChain(db, 5_000, { keys: new AuditKeyring(secret()) })).brokenAt?.problem).toBe('key-unknown');
      expect((await published(new AuditKeyring(second))).forged).toHaveLength(3);

      // An old, unkeyed row rewritten and rehashed: the keyed row after it names the old hash.
      if (kind === 'postgres') await sql`alter table audit_events disable trigger user`.execute(db);
      else await sql.raw('drop trigger audit_events_no_update').execute(db);
      const rows = await db.selectFrom('audit_events').selectAll().orderBy('seq').execute();
      const target = rows[1]!;
      const forged = { ...target, seq: undefined, hash: undefined, at: Number(target.at), action: 'old.rewritten' };
      await db.updateTable('audit_events').set({ action: 'old.rewritten', hash: auditHash(forged as never) }).where('seq', '=', target.seq).execute();
      const third = rows[2]!;
      await db.updateTable('audit_events').set({ prev_hash: auditHash(forged as never) }).where('seq', '=', third.seq).execute();
      await db.updateTable('audit_events').set({ hash: auditHash({ ...third, at: Number(third.at), prev_hash: auditHash(forged as never) } as never) }).where('seq', '=', third.seq).execute();
      const result = await verifyAuditChain(db, 5_000, { keys: national, checkpoints: all });
      expect(result.ok).toBe(false);
      expect(['chain-broken', 'checkpoint-mismatch']).toContain(result.brokenAt?.problem);
      expect(existsSync(checkpointFileOf(scratch.dataDir))).toBe(true);
    } finally {
      await database.close();
      await scratch.drop();
    }
  });
});
