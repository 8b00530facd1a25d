import { sql, type Kysely, type Transaction } from 'kysely';
import type SQLite from 'better-sqlite3';
import { pgPoolOf, sqliteHandleOf } from '../kernel/db/database.ts';
import { isPostgres } from '../kernel/db/dialect.ts';
import { copyRows } from '../kernel/db/pg-copy.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { PassRow } from './pass-record.ts';

const COLUMNS = [
  'id', 'camera_id', 'passed_at', 'plate', 'plate_folded', 'plate_colour', 'plate_confidence', 'char_confidences',
  'vehicle_class', 'vehicle_colour', 'lane', 'direction', 'boxes', 'crop_image_path', 'scene_image_path', 'ingested_at',
] as const;
const PG_TYPES = ['text', 'text', 'bigint', 'text', 'text', 'text', 'real', 'text', 'text', 'text', 'integer', 'text', 'text', 'text', 'text', 'bigint'];
const COLUMN_LIST = COLUMNS.join(', ');

/** SQLite allows 32,766 bound variables per statement; 16 columns × 1,000 rows stays well below. */
const SQLITE_ROWS_PER_STATEMENT = 1_000;

/**
 * Inserts rows, skipping those stored already, and returns the ids actually inserted. On PostgreSQL the
 * key is (id, passed_at) — the partitioned table's primary key — so a retried record (same id, same time)
 * is skipped in whichever day partition holds it.
 *
 * PostgreSQL with the hub's pool: COPY straight into the partitioned table; a batch holding a stored key
 * goes through a staging table and INSERT … ON CONFLICT DO NOTHING instead (COPY cannot skip duplicates).
 * Otherwise (a caller's Kysely transaction): one statement over column arrays (`unnest`). SQLite:
 * multi-row VALUES in chunks, all inside the caller's transaction; with the hub's own handle and no
 * transaction open on it, one synchronous transaction of a cached one-row statement instead (no query
 * compile and no statement prepare per batch: those were a third of a GA/T 1400 push's event-loop time).
 */
export async function insertPassRows(db: Transaction<Database> | Kysely<Database>, rows: PassRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  if (isPostgres(db)) {
    const pool = db.isTransaction ? undefined : pgPoolOf(db);
    return pool ? copyPassRows(pool, rows) : unnestPassRows(db, rows);
  }
  if (db.isTransaction) return sqliteInsert(db as Transaction<Database>, rows);
  const handle = sqliteHandleOf(db);
  if (handle && !handle.inTransaction) return sqlitePreparedInsert(handle, rows);
  return db.transaction().execute((trx) => sqliteInsert(trx, rows));
}

/** The first row of each (id, passed_at): what ON CONFLICT DO NOTHING would keep of a batch that repeats a key. */
function firstOfEachKey(rows: PassRow[]): PassRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = `${row.id}\u0000${row.passed_at}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

/**
 * Fast path first: COPY straight into the partitioned table (rows routed to their day, heap pages written
 * in batches, no staging table, no speculative insertion). A batch that holds a key stored already — a
 * retry — fails that COPY with a unique violation; the savepoint undoes it and the batch goes the careful
 * way: COPY into a staging table, then INSERT … ON CONFLICT DO NOTHING. Both in one transaction.
 */
async function copyPassRows(pool: NonNullable<ReturnType<typeof pgPoolOf>>, rows: PassRow[]): Promise<Set<string>> {
  const unique = firstOfEachKey(rows);
  const values = unique.map((row) => COLUMNS.map((c) => row[c]));
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('savepoint direct_copy');
    try {
      await copyRows(client, `copy checkpoint_passes (${COLUMN_LIST}) from stdin`, values);
      await client.query('commit');
      return new Set(unique.map((row) => row.id));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await client.query('rollback to savepoint direct_copy');
    }
    // Temporary and per session: each pooled connection keeps its own, emptied at every commit.
    await client.query(`create temp table if not exists checkpoint_pass_stage (like checkpoint_passes) on commit delete rows`);
    await copyRows(client, `copy checkpoint_pass_stage (${COLUMN_LIST}) from stdin`, values);
    const result = await client.query<{ id: string }>(`insert into checkpoint_passes (${COLUMN_LIST})
      select ${COLUMN_LIST} from checkpoint_pass_stage on conflict (id, passed_at) do nothing returning id`);
    await client.query('commit');
    return new Set(result.rows.map((r) => r.id));
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function unnestPassRows(db: Transaction<Database> | Kysely<Database>, rows: PassRow[]): Promise<Set<string>> {
  const arrays = COLUMNS.map((column, i) => sql`${rows.map((row) => row[column])}::${sql.raw(PG_TYPES[i])}[]`);
  const result = await sql<{ id: string }>`
    insert into checkpoint_passes (${sql.join(COLUMNS.map((c) => sql.ref(c)))})
    select * from unnest(${sql.join(arrays)})
    on conflict (id, passed_at) do nothing
    returning id`.execute(db);
  return new Set(result.rows.map((r) => r.id));
}

async function sqliteInsert(trx: Transaction<Database>, rows: PassRow[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let start = 0; start < rows.length; start += SQLITE_ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + SQLITE_ROWS_PER_STATEMENT);
    const result = await trx.insertInto('checkpoint_passes').values(chunk).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
    for (const row of result) inserted.add(row.id);
  }
  return inserted;
}

const preparedInserts = new WeakMap<SQLite.Database, SQLite.Statement>();

/** Synchronous, so nothing else runs on the connection between its BEGIN and COMMIT. */
function sqlitePreparedInsert(handle: SQLite.Database, rows: PassRow[]): Set<string> {
  let statement = preparedInserts.get(handle);
  if (!statement) {
    statement = handle.prepare(`insert into checkpoint_passes (${COLUMN_LIST}) values (${COLUMNS.map(() => '?').join(', ')}) on conflict (id) do nothing`);
    preparedInserts.set(handle, statement);
  }
  const insert = statement;
  const inserted = new Set<string>();
  handle.transaction(() => {
    for (const row of rows) {
      if (insert.run(...COLUMNS.map((c) => row[c] ?? null)).changes === 1) inserted.add(row.id);
    }
  })();
  return inserted;
}
