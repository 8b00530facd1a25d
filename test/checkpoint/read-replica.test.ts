import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipPostgres } from '../helpers/pg-url.ts';
import { startReplicaPair, type ReplicaPair } from '../helpers/pg-replica-pair.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, pass } from './checkpoint-fixtures.ts';

const canRun = !skipPostgres && existsSync('/usr/lib/postgresql/15/bin/pg_basebackup') && process.getuid?.() === 0;

async function query<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'replica-test' });
  await client.connect();
  try { return (await client.query<T>(text, params)).rows; } finally { await client.end(); }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A real primary and a real streaming replica (pg_basebackup -R), the hub writing to one and searching on the other. */
describe.skipIf(!canRun)('pass searches on a streaming replica (HUB_DATABASE_READ_URL)', () => {
  let pair: ReplicaPair;
  let t: TestHub;
  let camera: string;
  const base = Date.now() - 3_600_000;

  beforeAll(async () => {
    pair = await startReplicaPair();
    t = await startTestHub('postgres', { overrides: { database: { url: pair.primaryUrl, readUrl: pair.replicaUrl } } });
    camera = await addCamera(t, t.departments.traffic);
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
    await pair?.stop();
  });

  it('the replica is in recovery and the hub keeps a read-only pool on it', async () => {
    expect((await query<{ r: boolean }>(pair.replicaUrl, 'select pg_is_in_recovery() as r'))[0].r).toBe(true);
    expect((await query<{ r: boolean }>(pair.primaryUrl, 'select pg_is_in_recovery() as r'))[0].r).toBe(false);
    await expect(t.hub.ctx.readDb.insertInto('departments').values({ id: 'x', name: 'x', kind: 'traffic', is_government: 1, created_at: 0 }).execute())
      .rejects.toThrow(/read-only/);
  });

  it('ingest writes on the primary; a search is answered by the replica and sees what it has replayed', async () => {
    const first = pass(camera, '京A12345', base);
    expect((await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [first] } })).body).toEqual({ inserted: 1, duplicates: 0 });
    await until(async () => (await query(pair.replicaUrl, 'select 1 from checkpoint_passes where id = $1', [first.id])).length === 1, 'replication of the first pass');
    const search = () => t.api('/api/v1/checkpoint/passes?plate=京A12345', { user: t.users.admin });
    expect((await search()).body.items.map((p: { id: string }) => p.id)).toEqual([first.id]);

    // The search ran on the replica, in the hub's read pool; the primary never saw the hub-read pool.
    const onReplica = await query<{ query: string }>(pair.replicaUrl, `select query from pg_stat_activity where application_name = 'hub-read'`);
    expect(onReplica.some((s) => /from "checkpoint_passes"/.test(s.query))).toBe(true);
    expect(await query(pair.primaryUrl, `select 1 from pg_stat_activity where application_name = 'hub-read'`)).toEqual([]);

    // With replay paused, a pass written now is on the primary (its by-id lookup finds it) but not in the search.
    await query(pair.replicaUrl, 'select pg_wal_replay_pause()');
    const second = pass(camera, '京A12345', base + 60_000);
    expect((await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [second] } })).body).toEqual({ inserted: 1, duplicates: 0 });
    expect((await t.api(`/api/v1/checkpoint/passes/${second.id}`, { user: t.users.admin })).status).toBe(200);
    expect((await search()).body.items.map((p: { id: string }) => p.id)).toEqual([first.id]);
    await query(pair.replicaUrl, 'select pg_wal_replay_resume()');
    await until(async () => (await search()).body.items.length === 2, 'the replica to replay the second pass');
    expect((await search()).body.items.map((p: { id: string }) => p.id)).toEqual([second.id, first.id]);
  });
});
