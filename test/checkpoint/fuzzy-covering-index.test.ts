import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editDistance, foldPlate } from '../../analytics/vocabulary/plate-text.ts';
import { searchPasses } from '../../api/checkpoint/pass-search.ts';
import { DAY_MS, dayStart } from '../../api/kernel/db/day-partitions.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, pass } from './checkpoint-fixtures.ts';

/**
 * Fuzzy plate search by a department that sees only some cameras (PostgreSQL): the page's keys come from
 * the covering (plate_folded, passed_at) INCLUDE (camera_id, id) index alone, then the page's rows are read.
 * The pages must be exactly what a brute-force check over every stored pass says, in order, across days
 * and pages, for both orders; and the key lookup must be an index-only scan (no heap reads for the passes
 * of other departments' cameras).
 */
describe.skipIf(skipPostgres)('fuzzy plate search through the covering index (PostgreSQL)', () => {
  let t: TestHub;
  let visible: string[];
  let hidden: string[];
  const today = dayStart(Date.now());
  const plates = ['京A12345', '京A12346', '京A1Z345', '京AI2345', '京B12345', '京A72345', '京A123456', '京C99999'];

  beforeAll(async () => {
    t = await startTestHub('postgres');
    visible = [await addCamera(t, t.departments.traffic), await addCamera(t, t.departments.traffic)];
    hidden = [await addCamera(t, t.departments.ps), await addCamera(t, t.departments.ps)];
    const records = [];
    let n = 0;
    for (let day = 0; day < 5; day++) {
      for (const plate of plates) {
        for (const camera of [...visible, ...hidden]) records.push(pass(camera, plate, today - day * DAY_MS + 3_600_000 + (n++ % 50) * 60_000));
      }
    }
    await t.hub.services.checkpoint!.ingestPasses(records);
    await sql`vacuum analyze checkpoint_passes`.execute(t.hub.ctx.db);
  });
  afterAll(async () => { await t?.stop(); });

  it('pages through exactly the visible passes within one edit, newest and oldest first', async () => {
    const query = '京A1Z34S';
    const folded = foldPlate(query);
    const all = await t.hub.ctx.db.selectFrom('checkpoint_passes').selectAll().execute();
    const window = { from: today - 10 * DAY_MS, to: today + DAY_MS };
    const expected = all
      .filter((row) => visible.includes(row.camera_id) && editDistance(folded, row.plate_folded, 1) <= 1)
      .sort((a, b) => Number(b.passed_at) - Number(a.passed_at) || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0));
    expect(expected.length).toBeGreaterThan(20);
    expect(all.some((row) => hidden.includes(row.camera_id) && editDistance(folded, row.plate_folded, 1) <= 1)).toBe(true);

    for (const order of ['newest', 'oldest'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await searchPasses(t.hub.ctx.db, { all: false, cameraIds: visible }, { fuzzyPlate: query, limit: 7, order, cursor, ...window });
        for (const row of page.rows) {
          expect(row.matchDistance).toBe(editDistance(folded, row.plate_folded, 1));
          seen.push(row.id);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const want = order === 'newest' ? expected.map((row) => row.id) : [...expected].reverse().map((row) => row.id);
      expect(seen).toEqual(want);
    }
  });

  it('finds the page keys with an index-only scan of the covering index', async () => {
    // A few hundred rows would be read whole; the planner is steered as it steers itself at millions of rows.
    // Without the INCLUDE columns an index-only scan is impossible (id is not in the plain index).
    const plan = await t.hub.ctx.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_bitmapscan = off`.execute(trx);
      return sql<{ 'QUERY PLAN': string }>`explain (costs off)
        select id, passed_at, camera_id from checkpoint_passes where plate_folded in (select unnest(${['京A12345', '京A12346']}::text[]))
        and passed_at >= ${today - 2 * DAY_MS} and passed_at < ${today + DAY_MS}`.execute(trx);
    });
    const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/Index Only Scan using \S*plate_folded\S* on checkpoint_passes_p/);
  });
});
