import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';
import { PASS_INDEXES as INDEXES_0031 } from './0031_checkpoint_partitions.ts';

/**
 * PostgreSQL only: the (plate, passed_at) index of the day-partitioned passes goes. Exact and wildcard plate
 * lookups use the (plate_folded, passed_at) index instead — a plate's folded form is a function of it,
 * so `plate_folded = fold(p) and plate = p` finds the same rows — and ingest maintains one random-order
 * b-tree fewer per pass (with the folded one, the two that cost most at 100 million rows). Dropping an
 * index on the parent drops it in every partition; no row is touched. SQLite keeps its plate index: one
 * heap, and its searches go by plate.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`drop index if exists checkpoint_passes_plate_idx`.execute(db);
}

/** The partitioned table's indexes from here on (the bench builds them after a bulk fill, as a restore would). */
export const PASS_INDEXES = INDEXES_0031.filter((statement) => !statement.includes('checkpoint_passes_plate_idx'));

export async function down(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql.raw(INDEXES_0031.find((statement) => statement.includes('checkpoint_passes_plate_idx'))!).execute(db);
}
