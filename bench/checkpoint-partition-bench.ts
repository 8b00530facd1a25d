/**
 * The PostgreSQL city-scale part of the checkpoint benchmark (--partitioned): the day-partitioned passes
 * table at --rows against the unpartitioned heap (the layout of migration 0002) at --baseline-rows, both
 * measured in this run with the same code: COPY ingest through CheckpointStore, exact and fuzzy plate
 * searches over a 30-day window, and retention of the oldest day (dropped whole vs deleted row by row).
 * Rows are spread evenly over --days days; the fill is done by the database (generate_series) without
 * indexes, which are then built, as a restore would.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { CheckpointRetention } from '../api/checkpoint/checkpoint-retention.ts';
import { insertPassRows } from '../api/checkpoint/pass-writer.ts';
import { toPassRow } from '../api/checkpoint/pass-record.ts';
import { searchPasses } from '../api/checkpoint/pass-search.ts';
import type { CameraFilter } from '../api/checkpoint/pass-visibility.ts';
import { openDatabase } from '../api/kernel/db/database.ts';
import { DAY_MS, DayPartitions } from '../api/kernel/db/day-partitions.ts';
import { migrateToLatest } from '../api/kernel/db/migrator.ts';
import { PASS_INDEXES } from '../api/kernel/db/migrations/0036_checkpoint_folded_covering.ts';
import type { Database } from '../api/kernel/db/tables/index.ts';
import type { PassRecordInput } from '../analytics/vocabulary/pass-record-input.ts';

export interface ScaleResult {
  layout: 'partitioned' | 'heap';
  rows: number;
  fillS: number;
  indexS: number;
  ingest: number;
  ingestOneWriter: number;
  exactP95: number;
  fuzzyP95: number;
  dropDayMs: number;
  droppedRows: number;
  dbBytes: number;
}

export interface ScaleOptions {
  pgAdmin: string;
  rows: number;
  days: number;
  ingestRows: number;
  /** Concurrent batch writers for the ingest figure. */
  writers: number;
  cameras: number;
  plateOf: (i: number) => string;
  garble: (plate: string, i: number) => string;
  percentile: (samples: number[], p: number) => number;
  timeEach: (n: number, fn: (i: number) => Promise<unknown>) => Promise<number[]>;
  makeContext: (db: Kysely<Database>, dataDir: string, passesDays: number) => any;
  log: (line: string) => void;
}

const LETTERS = 'ACEFHJKLMN';

/** Back to one heap with 0002's indexes, for the baseline (primary key (id, passed_at), as ingest's conflict target). */
async function toHeap(db: Kysely<Database>): Promise<void> {
  await sql`drop table checkpoint_passes`.execute(db);
  await sql`create table checkpoint_passes (id text not null, camera_id text not null, passed_at bigint not null, plate text not null,
    plate_folded text not null, plate_colour text not null, plate_confidence real not null, char_confidences text not null,
    vehicle_class text, vehicle_colour text, lane integer, direction text, boxes text, crop_image_path text, scene_image_path text,
    ingested_at bigint not null)`.execute(db);
}

async function buildHeapIndexes(client: pg.ClientBase): Promise<void> {
  await client.query('alter table checkpoint_passes add primary key (id, passed_at)');
  await client.query('create index checkpoint_passes_plate_idx on checkpoint_passes (plate text_pattern_ops, passed_at)');
  await client.query('create index checkpoint_passes_folded_idx on checkpoint_passes (plate_folded text_pattern_ops, passed_at)');
  await client.query('create index checkpoint_passes_time_brin on checkpoint_passes using brin (passed_at)');
  await client.query('create index checkpoint_passes_camera_idx on checkpoint_passes (camera_id, passed_at)');
}

async function dropPartitionedIndexes(db: Kysely<Database>): Promise<void> {
  await sql`alter table checkpoint_passes drop constraint checkpoint_passes_pkey`.execute(db);
  for (const name of ['plate_idx', 'folded_idx', 'folded_cover_idx', 'camera_idx', 'images_idx']) await sql`drop index if exists ${sql.id(`checkpoint_passes_${name}`)}`.execute(db);
}

/** A filled and indexed database, ready to be measured (measureScale) and dropped (close). */
export interface PreparedScale {
  layout: 'partitioned' | 'heap';
  db: Kysely<Database>;
  dataDir: string;
  start: number;
  span: number;
  fillS: number;
  indexS: number;
  close: () => Promise<void>;
}

/** Fills and indexes one layout in a database of its own. */
export async function prepareScale(layout: 'partitioned' | 'heap', o: ScaleOptions): Promise<PreparedScale> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-scale-'));
  const dbName = `cp_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: o.pgAdmin });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const u = new URL(o.pgAdmin);
  u.pathname = `/${dbName}`;
  const database = openDatabase({ url: u.toString(), dataDir, poolSize: 4 });
  const db = database.db;
  const pool = new pg.Pool({ connectionString: u.toString(), max: 2 });
  const close = async () => {
    await pool.end();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    const cleanup = new pg.Client({ connectionString: o.pgAdmin });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${dbName} with (force)`);
    await cleanup.end();
  };
  try {
    await migrateToLatest(db);
    const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - (o.days - 1) * DAY_MS;
    const span = o.days * DAY_MS;
    if (layout === 'heap') await toHeap(db);
    else {
      await new DayPartitions(db, 'checkpoint_passes', 'passed_at').ensureDays(Array.from({ length: o.days + 1 }, (_, d) => start + d * DAY_MS));
      await dropPartitionedIndexes(db);
    }
    const now = Date.now();
    await db.insertInto('departments').values({ id: 'd1', name: 'Traffic', kind: 'traffic', is_government: 1, created_at: now }).execute();
    const cameraId = (i: number) => `cam-${String(i % o.cameras).padStart(3, '0')}`;
    const ctx = o.makeContext(db, dataDir, 365);
    for (let i = 0; i < o.cameras; i++) {
      await ctx.cameras.insert({ id: cameraId(i), name: `Checkpoint ${i}`, department_id: 'd1', category: 'traffic', lat: 39, lon: 116, address: null,
        stream_url: 'rtsp://127.0.0.1/x', sub_stream_url: null, snapshot_url: null, onvif_xaddr: null, status: 'online', last_seen_at: null,
        status_changed_at: null, ptz: 0, analytics_enabled: 1, source: 'manual', created_at: now, updated_at: now }, null);
    }

    // Fill by the database, two connections in parallel, no indexes yet.
    let t0 = performance.now();
    const step = 1_000_000;
    let next = 0;
    const worker = async () => {
      const client = await pool.connect();
      try {
        await client.query('set synchronous_commit = off');
        for (;;) {
          const a = next;
          if (a >= o.rows) return;
          next += step;
          const b = Math.min(o.rows, a + step);
          await client.query(`insert into checkpoint_passes
            select 'f-' || i, 'cam-' || lpad((i % ${o.cameras})::text, 3, '0'), ${start}::bigint + (i * ${span}::numeric / ${o.rows})::bigint,
              p, p, 'blue', 0.95, '[0.9,0.9,0.9,0.9,0.9,0.9,0.9]', 'K33', null, 1 + i % 3, null, null, null, null, 0
            from (select i, '京' || substr('${LETTERS}', (i % 10)::int + 1, 1) || lpad(((i::bigint * 7919) % 100000)::text, 5, '0') as p
                  from generate_series(${a}::bigint, ${b - 1}::bigint) as i) s`);
          if ((b / step) % 10 === 0) o.log(`  ${layout}: ${b} rows filled, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        }
      } finally {
        client.release();
      }
    };
    await Promise.all([worker(), worker()]);
    const fillS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const client = await pool.connect();
    try {
      await client.query(`set maintenance_work_mem = '1GB'`);
      if (layout === 'heap') await buildHeapIndexes(client);
      else {
        await client.query('alter table checkpoint_passes add constraint checkpoint_passes_pkey primary key (id, passed_at)');
        for (const statement of PASS_INDEXES) await client.query(statement);
      }
      await client.query('vacuum analyze checkpoint_passes');
    } finally {
      client.release();
    }
    const indexS = (performance.now() - t0) / 1000;
    o.log(`  ${layout}: fill ${fillS.toFixed(0)} s, indexes + vacuum ${indexS.toFixed(0)} s`);
    return { layout, db, dataDir, start, span, fillS, indexS, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Ingest, searches and the retention of one day on a prepared database. */
export async function measureScale(prepared: PreparedScale, o: ScaleOptions): Promise<ScaleResult> {
  const { layout, db, dataDir, start, span, fillS, indexS } = prepared;
  const cameraId = (i: number) => `cam-${String(i % o.cameras).padStart(3, '0')}`;
  {

    // Ingest through the store's write path (COPY → staging → INSERT … ON CONFLICT), 10,000 rows per batch, into the newest day.
    const record = (i: number): PassRecordInput => ({ id: `r-${i}`, cameraId: cameraId(i), passedAt: start + span - DAY_MS + (i % 80_000) * 1_000, plate: o.plateOf(i), plateColour: 'blue', plateConfidence: 0.95, charConfidences: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], vehicleClass: 'K33', lane: 1 });
    // Sustained (2,000,000 rows by default, a million per figure): a few seconds right after the index build
    // measured the cold start of the day's indexes more than the ingest rate.
    // First one writer (batches one after another), then o.writers writers at once, as a hub's concurrent
    // sources (pass queue, ingest API, GA/T 1400 pushes, other nodes) write: half the rows each.
    let ingested = 0;
    const ingestWith = async (writers: number, from: number, to: number): Promise<number> => {
      const started = performance.now();
      let next = from;
      let stored = 0;
      await Promise.all(Array.from({ length: writers }, async () => {
        while (next < to) {
          const a = next;
          next = Math.min(to, next + 10_000);
          const rows = Array.from({ length: next - a }, (_, k) => toPassRow(record(a + k), k, dataDir, Date.now()));
          const inserted = (await insertPassRows(db, rows)).size;
          stored += inserted;
        }
      }));
      ingested += stored;
      return stored / ((performance.now() - started) / 1000);
    };
    const half = Math.floor(o.ingestRows / 2);
    const ingestOneWriter = await ingestWith(1, 0, half);
    const ingest = await ingestWith(o.writers, half, o.ingestRows);

    // Searches: a 30-day window ending now, a department that sees half the cameras.
    const filter: CameraFilter = { all: false, cameraIds: Array.from({ length: o.cameras / 2 }, (_, i) => cameraId(i * 2)) };
    const window = { from: start + span - 30 * DAY_MS, to: start + span };
    const pick = (i: number) => o.plateOf((i * 104_729) % o.rows);
    await o.timeEach(20, (i) => searchPasses(db, filter, { plate: pick(i + 1_000), limit: 50, ...window }));
    const exact = await o.timeEach(300, (i) => searchPasses(db, filter, { plate: pick(i), limit: 50, ...window }));
    const fuzzy = await o.timeEach(100, (i) => searchPasses(db, filter, { fuzzyPlate: o.garble(pick(i), i), limit: 50, ...window }));

    // Retention of the oldest day: the cutoff is its end.
    const retention = new CheckpointRetention(o.makeContext(db, dataDir, 30), join(dataDir, 'images'));
    const t0 = performance.now();
    const report = await retention.prune(start + DAY_MS + 30 * DAY_MS);
    const dropDayMs = performance.now() - t0;
    const size = await sql<{ n: string }>`select pg_database_size(current_database()) as n`.execute(db);
    return { layout, rows: o.rows + ingested, fillS, indexS, ingest, ingestOneWriter, exactP95: o.percentile(exact, 95), fuzzyP95: o.percentile(fuzzy, 95), dropDayMs, droppedRows: report.passes, dbBytes: Number(size.rows[0].n) };
  }
}
