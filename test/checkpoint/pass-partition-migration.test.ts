import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type HubDatabase } from '../../api/kernel/db/database.ts';
import { DAY_MS, dayStart, partitionName } from '../../api/kernel/db/day-partitions.ts';
import { migrateToLatest, migrateUpTo } from '../../api/kernel/db/migrator.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/databases.ts';
import { skipPostgres } from '../helpers/pg-url.ts';

const MIGRATION = '0031_checkpoint_partitions';
/** The migration applied just before the partitioning one, whatever other migrations exist. */
const previous = readdirSync(new URL('../../api/kernel/db/migrations/', import.meta.url)).map((f) => f.replace(/\.ts$/, '')).filter((n) => /^\d{4}_/.test(n) && n < MIGRATION).sort().at(-1)!;

describe.skipIf(skipPostgres)('migration 0031 on a PostgreSQL database that already holds passes', () => {
  let scratch: ScratchDatabase;
  let database: HubDatabase;
  const today = dayStart(Date.now());
  const times = [today - 40 * DAY_MS + 5, today - 3 * DAY_MS, today - 3 * DAY_MS + 1_000, today + 60_000];

  beforeAll(async () => {
    scratch = await createScratchDatabase('postgres');
    database = openDatabase({ url: scratch.url, dataDir: scratch.dataDir });
    await migrateUpTo(database.db, previous);
    await database.db.insertInto('checkpoint_passes').values(times.map((t, i) => ({
      id: `old-${i}`, camera_id: 'c1', passed_at: t, plate: `京A1000${i}`, plate_folded: `京A1000${i}`, plate_colour: 'blue', plate_confidence: 0.9,
      char_confidences: '[]', vehicle_class: null, vehicle_colour: null, lane: null, direction: 'tab\there', boxes: null, crop_image_path: i === 0 ? 'x.jpg' : null,
      scene_image_path: null, ingested_at: t,
    }))).execute();
    expect(await migrateToLatest(database.db)).toContain(MIGRATION);
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  it('keeps every row, each in the partition of its day', async () => {
    const rows = await sql<{ id: string; part: string; direction: string }>`select id, tableoid::regclass::text as part, direction from checkpoint_passes order by id`.execute(database.db);
    expect(rows.rows.map((r) => [r.id, r.part, r.direction])).toEqual(times.map((t, i) => [`old-${i}`, partitionName('checkpoint_passes', t), 'tab\there']));
    expect((await sql`select 1 from pg_class where relname = 'checkpoint_passes_unpartitioned'`.execute(database.db)).rows).toEqual([]);
  });

  it('is partitioned by range on passed_at with the primary key (id, passed_at), a default partition and a week ahead', async () => {
    const key = await sql<{ def: string }>`select pg_get_partkeydef('checkpoint_passes'::regclass) as def`.execute(database.db);
    expect(key.rows[0].def).toBe('RANGE (passed_at)');
    const pk = await sql<{ def: string }>`select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'checkpoint_passes_pkey'`.execute(database.db);
    expect(pk.rows[0].def).toBe('PRIMARY KEY (id, passed_at)');
    const parts = (await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'checkpoint_passes'::regclass`.execute(database.db)).rows.map((r) => r.name);
    expect(parts).toContain('checkpoint_passes_default');
    for (let d = 0; d <= 7; d++) expect(parts).toContain(partitionName('checkpoint_passes', today + d * DAY_MS));
    expect(parts).toContain(partitionName('checkpoint_passes', times[0]));
    // The parent's indexes exist in every partition: key, folded plate, camera, pictures (0032 dropped the plate index).
    const indexes = await sql<{ def: string }>`select indexdef as def from pg_indexes where tablename = ${partitionName('checkpoint_passes', times[0])}`.execute(database.db);
    expect(indexes.rows).toHaveLength(4);
    expect(indexes.rows.filter((r) => /\(plate text_pattern_ops/.test(r.def))).toEqual([]);
    expect(indexes.rows.filter((r) => /\(plate_folded text_pattern_ops, passed_at\)/.test(r.def))).toHaveLength(1);
  });

  it('keeps ids unique per pass time: the same id and time is refused, so ON CONFLICT (id, passed_at) sees it', async () => {
    const again = { id: 'old-1', camera_id: 'c1', passed_at: times[1], plate: 'x', plate_folded: 'x', plate_colour: 'blue', plate_confidence: 1, char_confidences: '[]', ingested_at: 0 };
    await expect(database.db.insertInto('checkpoint_passes').values(again as never).execute()).rejects.toThrow(/duplicate key/);
  });
});
