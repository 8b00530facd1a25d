import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { sql } from 'kysely';
import { addCamera } from '../checkpoint/checkpoint-fixtures.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { recordFault } from './fault-table.ts';
import { postPasses, startIngestLoad } from './pass-driver.ts';
import { PrivatePostgres } from './private-postgres.ts';

const run = !skipPostgres && PrivatePostgres.available();

/**
 * kill -9 of PostgreSQL (a private cluster: the machine's shared one is never touched) while passes are
 * ingested through the API: every batch the hub acknowledged is there after the restart, none twice,
 * and the API fails fast (no hanging request) while the database is gone.
 */
describe.runIf(run)('kill -9 PostgreSQL during checkpoint ingest', () => {
  let server: PrivatePostgres;
  let t: TestHub;
  let cameraId: string;

  beforeAll(async () => {
    server = await PrivatePostgres.create();
    t = await startTestHub('postgres', {
      features: ['auth', 'directory', 'cameras', 'checkpoint'],
      overrides: { database: { url: server.url, poolSize: 4 } },
    });
    cameraId = await addCamera(t, t.departments.traffic);
  });
  afterAll(async () => {
    await t?.stop();
    await server?.stop();
  });

  it('keeps every acknowledged pass exactly once across a crash and restart', async () => {
    const load = startIngestLoad({ url: () => t.url, token: () => t.users.admin.token, cameraId, batch: 25, lanes: 3 });
    const until = async (check: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    await until(() => load.tally.acknowledged.size >= 1_500, 60_000);
    expect(load.tally.acknowledged.size).toBeGreaterThan(0);
    await server.crash();
    const failuresAtCrash = load.tally.failures;
    // Keep sending while the database is gone: these calls must fail, not hang.
    await until(() => load.tally.failures >= failuresAtCrash + 5, 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const restartedAt = Date.now();
    await server.start();
    const ackedBeforeRestart = load.tally.acknowledged.size;
    await until(() => load.tally.acknowledged.size > ackedBeforeRestart + 100, 60_000);
    const recoverySeconds = (Date.now() - restartedAt) / 1_000;
    const tally = await load.stop();
    expect(tally.failures).toBeGreaterThan(failuresAtCrash);
    expect(tally.acknowledged.size).toBeGreaterThan(ackedBeforeRestart);
    expect(tally.slowestMs, 'an ingest call hung while PostgreSQL was down').toBeLessThan(15_000);

    // A client re-sends what was not acknowledged: the store must skip what a lost reply already stored.
    for (const batch of tally.unacknowledged) expect(await postPasses(t.url, t.users.admin.token, batch)).toBe(true);
    const resent = new Set(tally.unacknowledged.flat().map((r) => r.id));

    const rows = await t.hub.ctx.db.selectFrom('checkpoint_passes').select(['id', 'plate', 'passed_at']).where('id', 'like', `fault-${load.runId}-%`).execute();
    const ids = new Set(rows.map((r) => r.id));
    const contentKeys = new Set(rows.map((r) => `${r.plate}@${r.passed_at}`));
    const missing = [...tally.acknowledged].filter((id) => !ids.has(id));
    const duplicates = rows.length - ids.size + (ids.size - contentKeys.size);
    recordFault({ fault: 'kill -9 PostgreSQL during ingest', expected: tally.acknowledged.size, found: tally.acknowledged.size - missing.length, duplicates, recoverySeconds, note: `${resent.size} unacked re-sent, ${tally.failures} failed calls` });
    expect(missing).toEqual([]);
    expect(duplicates).toBe(0);
    expect(ids.size).toBe(tally.acknowledged.size + resent.size);
    const total = await sql<{ n: number }>`select count(*)::int as n from checkpoint_passes`.execute(t.hub.ctx.db);
    expect(total.rows[0].n).toBe(ids.size);
  }, 240_000);
});
