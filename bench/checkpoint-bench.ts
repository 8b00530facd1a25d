/**
 * Checkpoint database benchmark: batched ingest through CheckpointStore (with watchlist matching and
 * cloned-plate analysis running) against row-by-row ingest, then exact / fuzzy / trajectory queries over
 * --rows records (default 5,000,000), on SQLite and on PostgreSQL. Baselines are measured in the same run.
 * Usage: npm run bench:checkpoint -- [--rows N] [--ingest N] [--skip-pg]
 *        npm run bench:checkpoint -- --partitioned [--rows 100000000] [--baseline-rows 5000000] [--days 40] [--ingest 2000000] [--writers 2]
 *          [--quiet-load L] [--wal-compression lz4] [--pg-set max_wal_size=16GB ...]
 *          (--pg-set: reloadable server settings for the run, put back afterwards; bench/pg-server-settings.ts)
 *        (PostgreSQL only: day-partitioned table at --rows against the unpartitioned heap at --baseline-rows;
 *        see bench/checkpoint-partition-bench.ts)
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { measureScale, prepareScale, type PreparedScale } from './checkpoint-partition-bench.ts';
import { applyServerSettings, parseServerSettings } from './pg-server-settings.ts';
import { CheckpointStore } from '../api/checkpoint/checkpoint-store.ts';
import { CloneDetector } from '../api/checkpoint/clone-detector.ts';
import type { PassRecordInput } from '../analytics/vocabulary/pass-record-input.ts';
import { searchPasses } from '../api/checkpoint/pass-search.ts';
import type { CameraFilter } from '../api/checkpoint/pass-visibility.ts';
import { SubscriptionPusher } from '../api/checkpoint/subscription-pusher.ts';
import { loadTrajectory } from '../api/checkpoint/trajectory-query.ts';
import { WatchlistMatcher } from '../api/checkpoint/watchlist-matcher.ts';
import { OutboundUrlGuard } from '../api/kernel/http/outbound-url.ts';
import { WebhookDelivery } from '../api/checkpoint/webhook-delivery.ts';
import { loadConfig } from '../api/hub/load-config.ts';
import { SecretBox } from '../api/kernel/crypto/secret-box.ts';
import { openDatabase } from '../api/kernel/db/database.ts';
import { isPostgres } from '../api/kernel/db/dialect.ts';
import { migrateToLatest } from '../api/kernel/db/migrator.ts';
import type { Database } from '../api/kernel/db/tables/index.ts';
import { HubEvents } from '../api/kernel/events/hub-events.ts';
import { MetricsRegistry } from '../api/kernel/metrics/metrics-registry.ts';
import type { HubContext } from '../api/hub/hub-context.ts';
import { CameraRepository } from '../ingest/registry/camera-repository.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 5_000_000);
const INGEST_ROWS = arg('ingest', 100_000);
const SKIP_PG = process.argv.includes('--skip-pg') || process.env.HUB_SKIP_PG === '1';
const PG_ADMIN = process.env.HUB_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const CAMERAS = 200;
const LETTERS = 'ACEFHJKLMN'; // no OCR-confusable letters: generated plates fold to themselves
const START = Date.UTC(2023, 0, 1);
const HOT_PLATE = '京H88888';
const log = pino({ level: 'silent' });

const cameraId = (i: number) => `cam-${String(i % CAMERAS).padStart(3, '0')}`;
/** Same formula as the SQL fill below. */
const plateOf = (i: number) => `京${LETTERS[i % 10]}${String((i * 7919) % 100_000).padStart(5, '0')}`;

function record(i: number, prefix: string): PassRecordInput {
  const plate = plateOf(i);
  return { id: `${prefix}-${i}`, cameraId: cameraId(i), passedAt: START + i * 6_000, plate, plateColour: 'blue', plateConfidence: 0.95, charConfidences: [...plate].map(() => 0.9), vehicleClass: 'K33', lane: 1 + (i % 3) };
}

/** Fuzzy query: confusable characters swapped in (0→D, 8→B, 1→I …) and one more character changed. */
function garble(plate: string, i: number): string {
  const swapped = plate.replace(/0/g, 'D').replace(/8/g, 'B').replace(/1/g, 'I');
  const chars = [...swapped];
  chars[2 + (i % 5)] = chars[2 + (i % 5)] === '7' ? '3' : '7';
  return chars.join('');
}

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

function makeContext(db: Kysely<Database>, dataDir: string, passesDays = 365): HubContext {
  const config = loadConfig({ env: {}, overrides: { dataDir, checkpoint: { retentionDays: { passes: passesDays, images: Math.min(90, passesDays) } }, auth: { tokenSecret: randomBytes(32).toString('hex') }, credentials: { encryptionKey: randomBytes(32).toString('hex') }, audit: { chainKey: randomBytes(32).toString('hex') } } });
  const cameras = new CameraRepository(db, new SecretBox(config.credentials.encryptionKey));
  return { config, dataDir, db, log, events: new HubEvents(), metrics: new MetricsRegistry(), cameras, publicUrl: () => 'http://127.0.0.1' } as unknown as HubContext;
}

/** Bulk fill by the database itself: rows [from, to) with the same plate/camera/time formulas as record(). */
async function fill(db: Kysely<Database>, from: number, to: number): Promise<void> {
  const step = 500_000;
  for (let a = from; a < to; a += step) {
    const b = Math.min(to, a + step);
    if (isPostgres(db)) {
      await sql`insert into checkpoint_passes
        select 'f-' || i, 'cam-' || lpad((i % ${CAMERAS})::text, 3, '0'), ${START}::bigint + i * 6000,
          p, p, 'blue', 0.95, '[0.9,0.9,0.9,0.9,0.9,0.9,0.9]', 'K33', null, 1 + i % 3, null, null, null, null, 0
        from (select i, '京' || substr(${LETTERS}, (i % 10)::int + 1, 1) || lpad(((i::bigint * 7919) % 100000)::text, 5, '0') as p
              from generate_series(${a}::bigint, ${b - 1}::bigint) as i) s`.execute(db);
    } else {
      await sql`with recursive n(i) as (select ${a} union all select i + 1 from n where i < ${b - 1})
        insert into checkpoint_passes
        select 'f-' || i, 'cam-' || printf('%03d', i % ${CAMERAS}), ${START} + i * 6000, p, p, 'blue', 0.95,
          '[0.9,0.9,0.9,0.9,0.9,0.9,0.9]', 'K33', null, 1 + i % 3, null, null, null, null, 0
        from (select i, '京' || substr(${LETTERS}, (i % 10) + 1, 1) || printf('%05d', (i * 7919) % 100000) as p from n)`.execute(db);
    }
  }
}

interface Result { ingest: number; ingestBaseline: number; exactP95: number; exactBaselineP95: number; fuzzyP95: number; fuzzyBaselineP95: number; trajectoryP95: number; rows: number; fillS: number }

async function runOn(kind: 'sqlite' | 'postgres'): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cp-bench-'));
  let url = `sqlite:${join(dataDir, 'bench.sqlite')}`;
  const dbName = `cp_bench_${randomBytes(4).toString('hex')}`;
  if (kind === 'postgres') {
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const u = new URL(PG_ADMIN);
    u.pathname = `/${dbName}`;
    url = u.toString();
  }
  const database = openDatabase({ url, dataDir });
  const db = database.db;
  try {
    await migrateToLatest(db);
    const now = Date.now();
    await db.insertInto('departments').values({ id: 'd1', name: 'Traffic', kind: 'traffic', is_government: 1, created_at: now }).execute();
    const ctx = makeContext(db, dataDir);
    for (let i = 0; i < CAMERAS; i++) {
      await ctx.cameras.insert({
        id: cameraId(i), name: `Checkpoint ${i}`, department_id: 'd1', category: 'traffic', lat: 39 + (i % 20) * 0.05, lon: 116 + Math.floor(i / 20) * 0.05,
        address: null, stream_url: 'rtsp://127.0.0.1/x', sub_stream_url: null, snapshot_url: null, onvif_xaddr: null, status: 'online',
        last_seen_at: null, status_changed_at: null, ptz: 0, analytics_enabled: 1, source: 'manual', created_at: now, updated_at: now,
      }, null);
    }
    const delivery = new WebhookDelivery(db, 'k', ctx.config.checkpoint.delivery, log, new OutboundUrlGuard(['127.0.0.0/8']));
    const store = new CheckpointStore(ctx, new WatchlistMatcher(ctx, delivery), new CloneDetector(ctx), new SubscriptionPusher(ctx, delivery, async () => [], async () => [], () => '11000000005030000001'));
    await db.insertInto('checkpoint_watchlist').values({ id: 'w1', plate_pattern: '京A12*', match_kind: 'pattern', reason: 'bench', owner_user_id: 'u', owner_department_id: 'd1', valid_from: 0, valid_until: now + 86_400_000, created_at: now, removed_at: null, removed_by: null }).execute();

    // Baseline: one record per call (own transaction, own follow-up analysis).
    const baselineN = 2_000;
    let t0 = performance.now();
    for (let i = 0; i < baselineN; i++) await store.ingestPasses([record(i, 'b')]);
    const ingestBaseline = baselineN / ((performance.now() - t0) / 1000);
    await db.deleteFrom('checkpoint_passes').execute();
    await db.deleteFrom('checkpoint_findings').execute();
    await db.deleteFrom('checkpoint_alerts').execute();

    // Batched ingest: 5,000 records per call.
    t0 = performance.now();
    for (let start = 0; start < INGEST_ROWS; start += 5_000) {
      await store.ingestPasses(Array.from({ length: Math.min(5_000, INGEST_ROWS - start) }, (_, k) => record(start + k, 'r')));
    }
    const ingest = INGEST_ROWS / ((performance.now() - t0) / 1000);

    // Fill up to ROWS with SQL, plus one plate with 1,000 passes for the trajectory.
    t0 = performance.now();
    await fill(db, INGEST_ROWS, ROWS - 1_000);
    await store.ingestPasses(Array.from({ length: 1_000 }, (_, k) => ({ ...record(ROWS + k, 'h'), plate: HOT_PLATE, cameraId: cameraId(k * 7) })));
    if (isPostgres(db)) await sql`vacuum analyze checkpoint_passes`.execute(db); else await sql`analyze`.execute(db);
    const fillS = (performance.now() - t0) / 1000;
    const rows = Number((await db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    // A department that sees half of the cameras, as a traffic user would.
    const filter: CameraFilter = { all: false, cameraIds: Array.from({ length: CAMERAS / 2 }, (_, i) => cameraId(i * 2)) };
    const pick = (i: number) => plateOf((i * 104_729) % ROWS);
    const exact = await timeEach(300, (i) => searchPasses(db, filter, { plate: pick(i), limit: 50 }));
    // Fuzzy: confusable characters swapped in (0→D, 8→B, 1→I …) and one more character changed.
    const fuzzy = await timeEach(200, (i) => searchPasses(db, filter, { fuzzyPlate: garble(pick(i), i), limit: 50 }));
    const trajectory = await timeEach(50, () => loadTrajectory(db, ctx.cameras, { all: true }, HOT_PLATE, 10_001));
    // Baselines without the indexes: an expression defeats the plate index; fuzzy as a LIKE scan over substitutions.
    const exactBaseline = await timeEach(3, (i) => db.selectFrom('checkpoint_passes').selectAll().where(sql<boolean>`plate || '' = ${pick(i)}`).where('camera_id', 'in', filter.cameraIds).orderBy('passed_at', 'desc').limit(50).execute());
    const fuzzyBaseline = await timeEach(3, (i) => {
      const q = [...garble(pick(i), i)];
      const likes = q.map((_, k) => [...q.slice(0, k), '_', ...q.slice(k + 1)].join(''));
      return db.selectFrom('checkpoint_passes').selectAll().where((eb) => eb.or(likes.map((l) => eb('plate', 'like', l)))).orderBy('passed_at', 'desc').limit(50).execute();
    });
    await delivery.stop();
    return {
      ingest, ingestBaseline, rows, fillS,
      exactP95: percentile(exact, 95), exactBaselineP95: percentile(exactBaseline, 95),
      fuzzyP95: percentile(fuzzy, 95), fuzzyBaselineP95: percentile(fuzzyBaseline, 95),
      trajectoryP95: percentile(trajectory, 95),
    };
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const admin = new pg.Client({ connectionString: PG_ADMIN });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }
}

if (process.argv.includes('--partitioned')) {
  await runPartitioned();
  process.exit(0);
}

function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** --quiet-load L: before each measurement, wait (at most 45 min) until the 1-minute load average is below L. */
async function waitForQuiet(): Promise<void> {
  const limit = Number(stringArg('quiet-load') ?? 'NaN');
  if (!Number.isFinite(limit)) return;
  const deadline = Date.now() + 45 * 60_000;
  while (os.loadavg()[0]! >= limit && Date.now() < deadline) {
    console.log(`  waiting for load average < ${limit} (now ${os.loadavg()[0]!.toFixed(1)})`);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
  }
  console.log(`  measuring at load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

async function serverSettings(): Promise<string[]> {
  const shown = ['shared_buffers', 'max_wal_size', 'wal_compression', 'synchronous_commit', 'checkpoint_timeout'];
  const client = new pg.Client({ connectionString: PG_ADMIN });
  await client.connect();
  try {
    const rows = await client.query<{ name: string; value: string }>('select name, current_setting(name) as value from pg_settings where name = any($1) order by name', [shown]);
    return rows.rows.map((r) => `${r.name}=${r.value}`);
  } finally {
    await client.end();
  }
}

/** Every value of a repeatable option (`--pg-set a=1 --pg-set b=2`). */
function stringArgs(name: string): string[] {
  return process.argv.flatMap((value, i) => (process.argv[i - 1] === `--${name}` ? [value] : []));
}

async function runPartitioned(): Promise<void> {
  const started = new Date();
  const options = { pgAdmin: PG_ADMIN, days: arg('days', 40), ingestRows: arg('ingest', 2_000_000), writers: arg('writers', 2), cameras: CAMERAS, plateOf, garble, percentile, timeEach, makeContext, log: (line: string) => console.log(line) };
  const heapOptions = { ...options, rows: arg('baseline-rows', 5_000_000) };
  const partOptions = { ...options, rows: ROWS };
  // --wal-compression X is short for --pg-set wal_compression=X.
  const walCompression = stringArg('wal-compression');
  const wanted = parseServerSettings([...(walCompression ? [`wal_compression=${walCompression}`] : []), ...stringArgs('pg-set')]);
  const restoreSettings = wanted.length ? await applyServerSettings(PG_ADMIN, wanted) : undefined;
  const prepared: PreparedScale[] = [];
  let heap, part, settings: string[] = [];
  try {
    // Both filled first, then both measured: the measurements can wait for a quiet machine (--quiet-load).
    prepared.push(await prepareScale('heap', heapOptions));
    prepared.push(await prepareScale('partitioned', partOptions));
    await waitForQuiet();
    heap = await measureScale(prepared[0]!, heapOptions);
    console.log(`heap baseline done: ${heap.rows} rows`);
    await waitForQuiet();
    part = await measureScale(prepared[1]!, partOptions);
    settings = await serverSettings();
  } finally {
    for (const p of prepared) await p.close();
    await restoreSettings?.();
  }
  console.log(`PostgreSQL settings during the run: ${settings.join(' ')}; load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const f = (n: number, d = 1) => n.toFixed(d);
  console.log(`\n${started.toISOString()} · ${os.cpus().length} cores ${os.cpus()[0]?.model ?? ''} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · PostgreSQL · ${options.days} days of passes · ${process.argv.slice(2).join(' ')}`);
  console.log(`${'metric'.padEnd(34)} ${'heap (baseline)'.padStart(16)} ${'partitioned'.padStart(14)} ${'target'.padStart(9)} ${'ratio'.padStart(8)}`);
  const line = (name: string, a: number, b: number, target: string, digits: number, higherIsBetter: boolean) =>
    console.log(`${name.padEnd(34)} ${f(a, digits).padStart(16)} ${f(b, digits).padStart(14)} ${target.padStart(9)} ${f(higherIsBetter ? b / a : a / b, 2).padStart(8)}`);
  line('rows', heap.rows, part.rows, '', 0, true);
  line(`ingest rows/s (COPY, ${options.writers} writers)`, heap.ingest, part.ingest, '>= 50000', 0, true);
  line('ingest rows/s (COPY, one writer)', heap.ingestOneWriter, part.ingestOneWriter, '', 0, true);
  line('exact plate p95 ms (30 days)', heap.exactP95, part.exactP95, '<= 50', 2, false);
  line('fuzzy plate p95 ms (30 days)', heap.fuzzyP95, part.fuzzyP95, '<= 300', 2, false);
  line('retention of one day ms', heap.dropDayMs, part.dropDayMs, '<= 1000', 1, false);
  line('rows removed by that retention', heap.droppedRows, part.droppedRows, '', 0, true);
  line('fill s', heap.fillS, part.fillS, '', 0, true);
  line('index build + vacuum s', heap.indexS, part.indexS, '', 0, true);
  line('database GB', heap.dbBytes / 1e9, part.dbBytes / 1e9, '', 2, true);
  console.log('ratio = partitioned against the heap baseline measured in this run (> 1 = better; rows: scale factor)');
  console.log(`ingest_rows_per_s=${Math.round(part.ingest)} ingest_writers=${options.writers} ingest_one_writer_rows_per_s=${Math.round(part.ingestOneWriter)} plate_query_ms_p95=${f(part.exactP95, 2)} fuzzy_query_ms_p95=${f(part.fuzzyP95, 2)} retention_drop_day_ms=${f(part.dropDayMs, 1)} rows=${part.rows}`);
}

const results: Partial<Record<'sqlite' | 'postgres', Result>> = {};
for (const kind of SKIP_PG ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const)) {
  const t0 = performance.now();
  results[kind] = await runOn(kind);
  console.log(`${kind}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s (SQL fill + analyze ${results[kind]!.fillS.toFixed(0)} s)`);
}
const s = results.sqlite!;
const p = results.postgres;
const f = (n: number | undefined, d = 1) => (n === undefined ? '-' : n.toFixed(d));
const rowsOut: Array<[string, (r: Result) => number, (r: Result) => number | undefined, string, number]> = [
  ['ingest rows/s (batched 5,000)', (r) => r.ingest, (r) => r.ingest / r.ingestBaseline, '>= 20000', 0],
  ['ingest rows/s baseline (row by row)', (r) => r.ingestBaseline, () => 1, '', 0],
  ['exact plate p95 ms', (r) => r.exactP95, (r) => r.exactBaselineP95 / r.exactP95, '<= 20', 2],
  ['exact plate baseline p95 ms (no index)', (r) => r.exactBaselineP95, () => 1, '', 1],
  ['fuzzy plate p95 ms', (r) => r.fuzzyP95, (r) => r.fuzzyBaselineP95 / r.fuzzyP95, '<= 200', 2],
  ['fuzzy baseline p95 ms (LIKE scan)', (r) => r.fuzzyBaselineP95, () => 1, '', 1],
  ['trajectory 1,000 passes p95 ms', (r) => r.trajectoryP95, () => undefined, '<= 50', 2],
];
console.log(`\nrows=${s.rows} (sqlite) ${p ? `${p.rows} (postgres)` : ''}; ratio = speed-up over the baseline measured in this run`);
console.log(`${'metric'.padEnd(40)} ${'sqlite'.padStart(10)} ${'postgres'.padStart(10)} ${'target'.padStart(9)} ${'ratio sq'.padStart(9)} ${'ratio pg'.padStart(9)}`);
for (const [name, value, ratio, target, digits] of rowsOut) {
  console.log(`${name.padEnd(40)} ${f(value(s), digits).padStart(10)} ${f(p && value(p), digits).padStart(10)} ${target.padStart(9)} ${f(ratio(s)).padStart(9)} ${f(p && ratio(p)).padStart(9)}`);
}
// Last line: the worse of the two databases for each figure.
const all = [s, ...(p ? [p] : [])];
console.log(`ingest_rows_per_s=${Math.round(Math.min(...all.map((r) => r.ingest)))} plate_query_ms_p95=${Math.max(...all.map((r) => r.exactP95)).toFixed(2)} fuzzy_query_ms_p95=${Math.max(...all.map((r) => r.fuzzyP95)).toFixed(2)} rows=${Math.min(...all.map((r) => r.rows))}`);
