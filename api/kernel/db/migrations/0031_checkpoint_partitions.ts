import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';
import { DayPartitions } from '../day-partitions.ts';

const AHEAD_DAYS = 7;

/**
 * PostgreSQL only: checkpoint_passes becomes a table partitioned by day on passed_at (SQLite, the embedded
 * default, is left as it is). Existing rows are kept: the old heap is renamed, a partition is created for
 * every day it holds plus today and the next week, rows are copied, the old heap dropped.
 *
 * Keys: a partitioned table's unique keys must contain the partition key, so the primary key becomes
 * (id, passed_at). No foreign key references checkpoint_passes (alerts, findings, evidence exports and
 * GA/T 1400 look passes up by id, which the primary key index still serves, id first, in each partition).
 * Indexes are declared on the parent and so exist in every partition, present and future:
 * (plate, passed_at) and (plate_folded, passed_at) b-trees for exact and OCR-folded (fuzzy) plates within a
 * time window, (camera_id, passed_at), and a small partial index of passes that still have pictures. No
 * pg_trgm GIN index: measured for fuzzy search, it was far slower than the b-tree (see pass-search.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`alter table checkpoint_passes rename to checkpoint_passes_unpartitioned`.execute(db);
  await sql`alter table checkpoint_passes_unpartitioned rename constraint checkpoint_passes_pkey to checkpoint_passes_unpartitioned_pkey`.execute(db);
  for (const index of ['plate_idx', 'folded_idx', 'time_brin', 'camera_idx']) {
    await sql`drop index if exists ${sql.id(`checkpoint_passes_${index}`)}`.execute(db);
  }
  await sql`
    create table checkpoint_passes (
      id text not null,
      camera_id text not null,
      passed_at bigint not null,
      plate text not null,
      plate_folded text not null,
      plate_colour text not null,
      plate_confidence real not null,
      char_confidences text not null,
      vehicle_class text,
      vehicle_colour text,
      lane integer,
      direction text,
      boxes text,
      crop_image_path text,
      scene_image_path text,
      ingested_at bigint not null,
      constraint checkpoint_passes_pkey primary key (id, passed_at)
    ) partition by range (passed_at)`.execute(db);
  const partitions = new DayPartitions(db, 'checkpoint_passes', 'passed_at');
  await partitions.ensureDefault();
  const days = await sql<{ day: string }>`select distinct (passed_at / 86400000) * 86400000 as day from checkpoint_passes_unpartitioned`.execute(db);
  await partitions.ensureDays(days.rows.map((r) => Number(r.day)));
  await partitions.ensureAhead(Date.now(), AHEAD_DAYS);
  await sql`insert into checkpoint_passes select id, camera_id, passed_at, plate, plate_folded, plate_colour, plate_confidence, char_confidences,
    vehicle_class, vehicle_colour, lane, direction, boxes, crop_image_path, scene_image_path, ingested_at from checkpoint_passes_unpartitioned`.execute(db);
  await sql`drop table checkpoint_passes_unpartitioned`.execute(db);
  await createPassIndexes(db);
  await sql`analyze checkpoint_passes`.execute(db);
}

/** The partitioned table's indexes, declared on the parent (the bench builds them after a bulk fill, as a restore would). */
export const PASS_INDEXES = [
  'create index if not exists checkpoint_passes_plate_idx on checkpoint_passes (plate text_pattern_ops, passed_at)',
  'create index if not exists checkpoint_passes_folded_idx on checkpoint_passes (plate_folded text_pattern_ops, passed_at)',
  'create index if not exists checkpoint_passes_camera_idx on checkpoint_passes (camera_id, passed_at)',
  // Small: only passes whose pictures are still on disk (image retention and whole-day drops find them without a scan).
  'create index if not exists checkpoint_passes_images_idx on checkpoint_passes (passed_at) where crop_image_path is not null or scene_image_path is not null',
];

async function createPassIndexes(db: Kysely<any>): Promise<void> {
  for (const statement of PASS_INDEXES) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  // Not reversible in place: an unpartitioned heap of billions of rows is what this migration exists to leave.
}
