/**
 * Camera catalogue benchmark: pages of the catalogue (first page, deep page, text search, filters with an
 * area, the map's 5,000 at once) through CameraRepository.search over --cameras rows (default 20,000), on
 * SQLite and on PostgreSQL. Baseline, measured in the same run: what the player did before issue 17, read
 * the whole catalogue (CameraRepository.list) and filter and page it in the process.
 * Usage: npm run bench:catalogue -- [--cameras N] [--skip-pg]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { SecretBox } from '../api/kernel/crypto/secret-box.ts';
import { openDatabase } from '../api/kernel/db/database.ts';
import { migrateToLatest } from '../api/kernel/db/migrator.ts';
import type { Database } from '../api/kernel/db/tables/index.ts';
import { CameraRepository, type CameraSearch } from '../ingest/registry/camera-repository.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CAMERAS = arg('cameras', 20_000);
const RUNS = 30;
const SKIP_PG = process.argv.includes('--skip-pg') || process.env.HUB_SKIP_PG === '1';
const PG_ADMIN = process.env.HUB_TEST_PG_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const STREETS = ['南京东路', '延安东路', '人民大道', '西藏中路', '福州路', '淮海中路', '四川北路', '中山南路'];
const STATUSES = ['online', 'online', 'online', 'offline', 'unknown'] as const;
const CATEGORIES = ['public_security', 'traffic', 'community', 'other'] as const;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function time(fn: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(); // warm
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

/** Rows through the table's owner (one transaction per 500), as every writer of the cameras table does. */
async function fill(db: Kysely<Database>, secrets: SecretBox): Promise<string[]> {
  const departments = ['d-ps', 'd-traffic', 'd-community', 'd-district'];
  await db.insertInto('departments').values(departments.map((id) => ({ id, name: id, kind: 'other', is_government: 1, created_at: 0 }))).execute();
  const now = Date.now();
  for (let from = 0; from < CAMERAS; from += 500) {
    const rows = Array.from({ length: Math.min(500, CAMERAS - from) }, (_, k) => {
      const i = from + k;
      return {
        id: `cam-${String(i).padStart(6, '0')}`, name: `${STREETS[i % STREETS.length]}${Math.floor(i / 8)}号摄像机`, department_id: departments[i % 4]!, category: CATEGORIES[i % 4]!,
        lat: 31.0 + (i % 200) * 0.002, lon: 121.2 + Math.floor(i / 200) * 0.002, address: `上海市${STREETS[(i * 3) % STREETS.length]}${i}号`, stream_url: 'rtsp://127.0.0.1:9/x',
        sub_stream_url: null, snapshot_url: null, onvif_xaddr: null, status: STATUSES[i % STATUSES.length]!, last_seen_at: null, status_changed_at: null,
        ptz: 0, analytics_enabled: 0, source: 'manual' as const, created_at: now, updated_at: now, national_id: `31010100001320${String(i).padStart(6, '0')}`,
      };
    });
    await db.transaction().execute(async (trx) => {
      const owner = new CameraRepository(trx, secrets);
      for (const row of rows) await owner.insert(row, null);
    });
  }
  return departments;
}

async function measure(kind: string, db: Kysely<Database>): Promise<Record<string, number>> {
  await migrateToLatest(db);
  const secrets = new SecretBox(randomBytes(32).toString('hex'));
  const departments = await fill(db, secrets);
  const cameras = new CameraRepository(db, secrets);
  const box = { minLat: 31.1, maxLat: 31.2, minLon: 121.25, maxLon: 121.35 };
  const cases: Array<[string, Omit<CameraSearch, 'offset' | 'limit'> & { offset?: number; limit?: number }]> = [
    ['first_page', {}],
    ['deep_page', { offset: Math.floor(CAMERAS / 2) }],
    ['text', { text: '福州路 12' }],
    ['filtered_area', { departmentId: departments[1], status: 'online', box }],
    ['map_5000', { limit: 5_000 }],
  ];
  const out: Record<string, number> = {};
  for (const [name, search] of cases) {
    const query = { offset: 0, limit: 50, ...search };
    const searched = await time(() => cameras.search(query));
    // Before: every row to the process, then filter and page there.
    const listed = await time(async () => {
      const all = await cameras.list({ departmentId: search.departmentId, status: search.status });
      const words = (search.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      const hits = all.filter((c) => (!search.box || (c.lat! >= box.minLat && c.lat! <= box.maxLat && c.lon! >= box.minLon && c.lon! <= box.maxLon))
        && words.every((w) => [c.name, c.address ?? '', c.national_id ?? ''].some((f) => f.toLowerCase().includes(w))));
      return hits.slice(query.offset, query.offset + query.limit);
    });
    console.log(`${kind.padEnd(10)} ${name.padEnd(14)} search p50 ${searched.p50.toFixed(1)} ms p95 ${searched.p95.toFixed(1)} ms | whole list p50 ${listed.p50.toFixed(1)} ms p95 ${listed.p95.toFixed(1)} ms`);
    out[`${kind}_${name}_ms_p95`] = searched.p95;
    out[`${kind}_${name}_baseline_ms_p95`] = listed.p95;
  }
  return out;
}

const results: Record<string, number> = {};
const dir = mkdtempSync(join(tmpdir(), 'hub-catalogue-bench-'));
try {
  const sqlite = openDatabase({ url: `sqlite:${join(dir, 'bench.sqlite')}`, dataDir: dir });
  Object.assign(results, await measure('sqlite', sqlite.db));
  await sqlite.close();
  if (!SKIP_PG) {
    const name = `hub_catalogue_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    const postgres = openDatabase({ url: url.toString(), dataDir: dir });
    try {
      Object.assign(results, await measure('postgres', postgres.db));
    } finally {
      await postgres.close();
      await admin.query(`DROP DATABASE ${name}`);
      await admin.end();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const page = ['first_page', 'deep_page', 'text', 'filtered_area'].flatMap((c) => ['sqlite', 'postgres'].map((k) => results[`${k}_${c}_ms_p95`])).filter((v) => v !== undefined) as number[];
const map = ['sqlite', 'postgres'].map((k) => results[`${k}_map_5000_ms_p95`]).filter((v) => v !== undefined) as number[];
console.log(`cameras=${CAMERAS} page_ms_p95=${Math.max(...page).toFixed(1)} map_5000_ms_p95=${Math.max(...map).toFixed(1)}`);
