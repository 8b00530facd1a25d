import { sql, type Kysely, type Transaction } from 'kysely';
import { isPostgres } from '../kernel/db/dialect.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { PassRow } from './pass-record.ts';

const COLUMNS = [
  'id', 'camera_id', 'passed_at', 'plate', 'plate_folded', 'plate_colour', 'plate_confidence', 'char_confidences',
  'vehicle_class', 'vehicle_colour', 'lane', 'direction', 'boxes', 'crop_image_path', 'scene_image_path', 'ingested_at',
] as const;
const PG_TYPES = ['text', 'text', 'bigint', 'text', 'text', 'text', 'real', 'text', 'text', 'text', 'integer', 'text', 'text', 'text', 'text', 'bigint'];

/** SQLite allows 32,766 bound variables per statement; 16 columns × 1,000 rows stays well below. */
const SQLITE_ROWS_PER_STATEMENT = 1_000;

/**
 * Inserts rows, skipping ids that exist (ON CONFLICT DO NOTHING), and returns the ids actually inserted.
 * PostgreSQL: one statement over column arrays (`unnest`), 16 parameters whatever the batch size, no
 * per-row SQL to build. SQLite: multi-row VALUES in chunks, all inside the caller's transaction.
 */
export async function insertPassRows(trx: Transaction<Database> | Kysely<Database>, rows: PassRow[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  if (rows.length === 0) return inserted;
  if (isPostgres(trx)) {
    const arrays = COLUMNS.map((column, i) => sql`${rows.map((row) => row[column])}::${sql.raw(PG_TYPES[i])}[]`);
    const result = await sql<{ id: string }>`
      insert into checkpoint_passes (${sql.join(COLUMNS.map((c) => sql.ref(c)))})
      select * from unnest(${sql.join(arrays)})
      on conflict (id) do nothing
      returning id`.execute(trx);
    for (const row of result.rows) inserted.add(row.id);
    return inserted;
  }
  for (let start = 0; start < rows.length; start += SQLITE_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + SQLITE_ROWS_PER_STATEMENT);
    const result = await trx.insertInto('checkpoint_passes').values(chunk).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
    for (const row of result) inserted.add(row.id);
  }
  return inserted;
}
