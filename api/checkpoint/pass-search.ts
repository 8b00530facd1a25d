import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../kernel/db/dialect.ts';
import { badRequest } from '../kernel/errors/hub-error.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { PassRow } from './pass-record.ts';
import type { CameraFilter } from './pass-visibility.ts';
import { timeSlices, type TimeSlice } from './time-slices.ts';
import { editDistance, foldedVariants, foldPlate, normalisePattern, normalisePlate, patternToGlob, patternToLike } from '../../analytics/vocabulary/plate-text.ts';
import { plateIn, plateLikeOnPostgres } from './plate-condition.ts';

export interface PassQuery {
  /** Exact plate. */
  plate?: string;
  /** Wildcards: * any run, ? one character. */
  platePattern?: string;
  /** OCR-tolerant: confusable characters are equal, plus at most one edit when fuzzyDistance = 1. */
  fuzzyPlate?: string;
  fuzzyDistance?: 0 | 1;
  from?: number;
  to?: number;
  plateColour?: string;
  vehicleColour?: string;
  cursor?: string;
  limit: number;
  order?: 'newest' | 'oldest';
}

export interface PassPage {
  rows: Array<PassRow & { matchDistance?: number }>;
  nextCursor: string | null;
}

interface Cursor { t: number; id: string }

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (Number.isSafeInteger(value.t) && typeof value.id === 'string') return value;
  } catch { /* fall through */ }
  throw badRequest('CURSOR_INVALID', 'cursor is not one this API returned');
}

const encodeCursor = (row: PassRow) => Buffer.from(JSON.stringify({ t: Number(row.passed_at), id: row.id })).toString('base64url');

/**
 * PostgreSQL, fuzzy distance 1: the same set as SQLite's IN list, as a semi-join on the unnested array:
 * each day partition is probed once per variant through its (plate_folded, passed_at) b-tree. Written as
 * `= any(array)` the planner costed ~500 constants in each of 30 partitions (≈130 ms of planning for a few
 * ms of work). A pg_trgm GIN index was measured for this too and was 20× slower: one-edit LIKE shapes of
 * 7-character plates keep trigrams shared by a large share of all plates.
 */
function oneEditOnPostgres(folded: string) {
  return sql<boolean>`plate_folded in (select unnest(${foldedVariants(folded)}::text[]))`;
}

/** A page's query before its time range, order and limit: plate, camera, colour and cursor conditions. */
type PassSelect = ReturnType<typeof baseQuery>['q'];

function baseQuery(db: Kysely<Database>, cameras: CameraFilter, query: PassQuery, newest: boolean) {
  let q = db.selectFrom('checkpoint_passes').selectAll();
  let fuzzyFolded: string | undefined;
  if (query.plate !== undefined) {
    const plate = normalisePlate(query.plate);
    if (!plate) throw badRequest('PLATE_INVALID', 'plate must be 2–10 letters, digits or Chinese characters');
    q = q.where(plateIn(db, [plate]));
  } else if (query.platePattern !== undefined) {
    const pattern = normalisePattern(query.platePattern);
    if (!pattern) throw badRequest('PLATE_PATTERN_INVALID', 'platePattern holds letters, digits, Chinese characters, * and ? (at least one non-wildcard)');
    q = isPostgres(db)
      ? q.where(plateLikeOnPostgres(patternToLike(pattern)))
      : q.where(sql<boolean>`plate glob ${patternToGlob(pattern)}`);
  } else if (query.fuzzyPlate !== undefined) {
    const plate = normalisePlate(query.fuzzyPlate);
    if (!plate) throw badRequest('PLATE_INVALID', 'fuzzyPlate must be 2–10 letters, digits or Chinese characters');
    fuzzyFolded = foldPlate(plate);
    if ((query.fuzzyDistance ?? 1) === 0) q = q.where('plate_folded', '=', fuzzyFolded);
    else if (isPostgres(db)) q = q.where(oneEditOnPostgres(fuzzyFolded));
    else q = q.where('plate_folded', 'in', foldedVariants(fuzzyFolded));
  }
  // PostgreSQL with a selective plate condition: the camera filter is applied above the day partitions, not
  // in each of them. The plate index finds a few rows either way, but a 100-camera IN list costed in each of
  // 30 partitions made planning ~30 ms, ten times the execution (OFFSET 0 keeps the subquery separate).
  const cameraFilterAbove = isPostgres(db) && !cameras.all && (query.plate !== undefined || query.fuzzyPlate !== undefined);
  if (!cameras.all && !cameraFilterAbove) q = q.where('camera_id', 'in', cameras.cameraIds);
  if (query.plateColour !== undefined) q = q.where('plate_colour', '=', query.plateColour);
  if (query.vehicleColour !== undefined) q = q.where('vehicle_colour', '=', query.vehicleColour);
  if (query.cursor !== undefined) {
    const c = decodeCursor(query.cursor);
    q = newest
      ? q.where((eb) => eb.or([eb('passed_at', '<', c.t), eb.and([eb('passed_at', '=', c.t), eb('id', '<', c.id)])]))
      : q.where((eb) => eb.or([eb('passed_at', '>', c.t), eb.and([eb('passed_at', '=', c.t), eb('id', '>', c.id)])]));
  }
  // Fuzzy search with a camera filter: most candidates are other departments' passes. The page's keys come
  // from the covering (plate_folded, passed_at) INCLUDE (camera_id, id) index alone (migration 0033), and
  // only the rows of the page are read from the heap: at 100 million rows a fuzzy search with no visible
  // match read ~30,000 heap pages to drop every one of them.
  const keysFirst = cameraFilterAbove && fuzzyFolded !== undefined && query.plateColour === undefined && query.vehicleColour === undefined;
  return { q, fuzzyFolded, cameraFilterAbove, keysFirst };
}

/** The page's (id, passed_at) keys from the index only, then those rows. */
async function keysThenRows(db: Kysely<Database>, q: PassSelect, cameraIds: string[], direction: 'asc' | 'desc', limit: number): Promise<PassRow[]> {
  const keys = await db.selectFrom(q.clearSelect().select(['id', 'passed_at', 'camera_id']).offset(0).as('p'))
    .select(['id', 'passed_at']).where('camera_id', 'in', cameraIds)
    .orderBy('passed_at', direction).orderBy('id', direction).limit(limit).execute();
  if (keys.length === 0) return [];
  const times = keys.map((k) => Number(k.passed_at));
  const wanted = new Set(keys.map((k) => `${k.id}\u0000${Number(k.passed_at)}`));
  const rows = await db.selectFrom('checkpoint_passes').selectAll()
    .where('id', '=', sql<string>`any(${keys.map((k) => k.id)}::text[])`)
    .where('passed_at', '>=', Math.min(...times)).where('passed_at', '<=', Math.max(...times))
    .orderBy('passed_at', direction).orderBy('id', direction).execute();
  // An id is unique per pass; the key check keeps the page exact all the same.
  return rows.filter((row) => wanted.has(`${row.id}\u0000${Number(row.passed_at)}`));
}

/** Rows of [from, to) in page order, at most `limit`. */
async function runRange(db: Kysely<Database>, base: PassSelect, cameras: CameraFilter, filter: Pick<ReturnType<typeof baseQuery>, 'cameraFilterAbove' | 'keysFirst'>, range: TimeSlice, newest: boolean, limit: number): Promise<PassRow[]> {
  let q = base;
  if (range.from !== undefined) q = q.where('passed_at', '>=', range.from);
  if (range.to !== undefined) q = q.where('passed_at', '<', range.to);
  const direction = newest ? 'desc' : 'asc';
  if (filter.keysFirst && !cameras.all) return keysThenRows(db, q, cameras.cameraIds, direction, limit);
  return filter.cameraFilterAbove && !cameras.all
    ? db.selectFrom(q.offset(0).as('p')).selectAll().where('camera_id', 'in', cameras.cameraIds)
      .orderBy('passed_at', direction).orderBy('id', direction).limit(limit).execute()
    : q.orderBy('passed_at', direction).orderBy('id', direction).limit(limit).execute();
}

/**
 * One page of passes, newest first (or oldest first), filtered to what the caller may see. Keyset
 * pagination on (passed_at, id): a page costs the same at any depth and rows arriving meanwhile do not shift it.
 *
 * PostgreSQL (day partitions): the window is read in slices from its newest (oldest) end — one day, then
 * 2, 4, 8 … days — until the page is full. A fuzzy plate matches tens of plates whose passes
 * in 30 days run to tens of thousands: in one statement every one of them was fetched and sorted for a
 * page of 50 (2 s at 100 million rows); a slice's statement touches only its own partitions and stops early.
 */
export async function searchPasses(db: Kysely<Database>, cameras: CameraFilter, query: PassQuery): Promise<PassPage> {
  const given = [query.plate, query.platePattern, query.fuzzyPlate].filter((v) => v !== undefined).length;
  if (given > 1) throw badRequest('PLATE_QUERY_AMBIGUOUS', 'give only one of plate, platePattern, fuzzyPlate');
  if (!cameras.all && cameras.cameraIds.length === 0) return { rows: [], nextCursor: null };
  const newest = (query.order ?? 'newest') === 'newest';
  const { q, fuzzyFolded, cameraFilterAbove, keysFirst } = baseQuery(db, cameras, query, newest);
  const range: TimeSlice = { from: query.from, to: query.to };
  const slices = isPostgres(db) ? timeSlices(range, newest, query.cursor === undefined ? undefined : decodeCursor(query.cursor).t, Date.now()) : [range];
  const rows: PassRow[] = [];
  for (const slice of slices) {
    rows.push(...await runRange(db, q, cameras, { cameraFilterAbove, keysFirst }, slice, newest, query.limit + 1 - rows.length));
    if (rows.length > query.limit) break;
  }
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const withDistance = fuzzyFolded === undefined ? page : page.map((row) => ({ ...row, matchDistance: editDistance(fuzzyFolded!, row.plate_folded, 1) }));
  return { rows: withDistance, nextCursor: more ? encodeCursor(page[page.length - 1]) : null };
}
