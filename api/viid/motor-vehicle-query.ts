import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { isPostgres } from '../kernel/db/dialect.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { PassRow } from '../checkpoint/pass-record.ts';
import { normalisePattern, normalisePlate, patternToGlob, patternToLike } from '../../analytics/vocabulary/plate-text.ts';
import { colourWord, directionWord, plateColourOf, VEHICLE_CLASS_CODE } from './objects/code-tables.ts';
import { OBJECT_ID } from './objects/viid-ids.ts';
import { parseViidTime } from './objects/viid-time.ts';
import { viidBadContent } from './viid-status.ts';
import { plateIn, plateLikeOnPostgres } from '../checkpoint/plate-condition.ts';

/** Our detector's words that export as each 机动车类型 code (the reverse of vehicleClassCode). */
const CLASS_WORDS: Readonly<Record<string, string[]>> = { K33: ['car'], K11: ['bus'], H20: ['truck'], M20: ['motorcycle'] };

export const MAX_PAGE_RECORDS = 500;

/** A GA/T 1400 vehicle query, resolved against our columns. */
export interface MotorVehicleQuery {
  /** National device IDs (DeviceID, comma list). */
  deviceIds?: string[];
  /** 卡口 site IDs (TollgateID, comma list): the TollgateID the sending device gave each vehicle. */
  tollgateIds?: string[];
  motorVehicleId?: string;
  plate?: { exact: string } | { pattern: string };
  plateColour?: string;
  vehicleColour?: string;
  /** Stored values that export as the asked VehicleClass code. */
  vehicleClasses?: string[];
  lane?: number;
  direction?: string;
  hasPlate?: boolean;
  from?: number;
  to?: number;
  /** 1-based index of the first record (RecordStartNo). */
  start: number;
  pageSize: number;
}

const KNOWN = new Set(['DeviceID', 'TollgateID', 'MotorVehicleID', 'PlateNo', 'PlateColor', 'VehicleColor', 'VehicleClass', 'LaneNo', 'Direction', 'HasPlate',
  'BeginTime', 'EndTime', 'PassTime>', 'PassTime<', 'RecordStartNo', 'PageRecordNum', 'MaxNumRecordReturn']);

/**
 * The query string of `GET /VIID/MotorVehicles` as the standard's clients send it: field conditions with or
 * without the `MotorVehicle.` prefix (PlateNo exact, or with `*`/`?`/`%` wildcards; DeviceID and TollgateID comma lists;
 * PlateColor, VehicleColor, VehicleClass, Direction as codes; LaneNo; HasPlate), the pass-time range as
 * BeginTime/EndTime or `PassTime>=`/`PassTime<=` (a URL's `>=` splits into the key `PassTime>`), and paging
 * RecordStartNo (1-based) / PageRecordNum (≤ 500). An unknown condition is refused rather than ignored (a
 * client would take unfiltered results for filtered ones). Throws a VIID_QUERY_INVALID ViidError.
 */
export function parseMotorVehicleQuery(raw: Record<string, string>): MotorVehicleQuery {
  const q: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = key.replace(/^MotorVehicle\./, '').replace(/=$/, '').trim();
    if (!KNOWN.has(name)) throw viidBadContent('VIID_QUERY_INVALID', `unknown query condition ${key.slice(0, 64)}`);
    q[name] = value.trim();
  }
  const bad = (what: string) => viidBadContent('VIID_QUERY_INVALID', what);
  const integer = (name: string, min: number, max: number, fallback: number) => {
    if (q[name] === undefined || q[name] === '') return fallback;
    const n = Number(q[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw bad(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const time = (name: string) => {
    try {
      return parseViidTime(q[name], name);
    } catch (cause) {
      throw viidBadContent('VIID_QUERY_INVALID', (cause as Error).message, cause);
    }
  };
  const maxReturn = integer('MaxNumRecordReturn', 1, 1_000_000, 1_000_000);
  const query: MotorVehicleQuery = { start: integer('RecordStartNo', 1, 1_000_000, 1), pageSize: Math.min(integer('PageRecordNum', 1, MAX_PAGE_RECORDS, 100), maxReturn) };
  const idList = (name: 'DeviceID' | 'TollgateID') => {
    const ids = q[name]!.split(',').map((id) => id.trim()).filter(Boolean);
    if (ids.length === 0 || ids.length > 100 || ids.some((id) => !/^\d{20}$/.test(id))) throw bad(`${name} is a comma list of at most 100 20-digit IDs`);
    return ids;
  };
  if (q.DeviceID) query.deviceIds = idList('DeviceID');
  if (q.TollgateID) query.tollgateIds = idList('TollgateID');
  if (q.MotorVehicleID) {
    if (!OBJECT_ID.test(q.MotorVehicleID)) throw bad('a MotorVehicleID is 48 digits');
    query.motorVehicleId = q.MotorVehicleID;
  }
  if (q.PlateNo) {
    if (/[*?%_]/.test(q.PlateNo)) {
      const pattern = normalisePattern(q.PlateNo.replace(/%/g, '*').replace(/_/g, '?'));
      if (!pattern) throw bad('PlateNo holds letters, digits, Chinese characters and the wildcards * ? %');
      query.plate = { pattern };
    } else {
      const plate = normalisePlate(q.PlateNo);
      if (!plate) throw bad('PlateNo must be 2–10 letters, digits or Chinese characters');
      query.plate = { exact: plate };
    }
  }
  if (q.PlateColor) query.plateColour = plateColourOf(q.PlateColor);
  if (q.VehicleColor) {
    const word = colourWord(q.VehicleColor);
    if (!word) throw bad('VehicleColor is a colour code (1–13)');
    query.vehicleColour = word;
  }
  if (q.VehicleClass) {
    if (!VEHICLE_CLASS_CODE.test(q.VehicleClass)) throw bad('VehicleClass is a 机动车类型 code such as K33');
    query.vehicleClasses = [q.VehicleClass, ...(CLASS_WORDS[q.VehicleClass] ?? [])];
  }
  if (q.LaneNo) query.lane = integer('LaneNo', 0, 999, 0);
  if (q.Direction) {
    const word = directionWord(q.Direction);
    if (!word) throw bad('Direction is a code from 1 to 9');
    query.direction = word;
  }
  if (q.HasPlate) {
    if (!/^(0|1|true|false)$/i.test(q.HasPlate)) throw bad('HasPlate is 0 or 1');
    query.hasPlate = /^(1|true)$/i.test(q.HasPlate);
  }
  const from = q.BeginTime ? time('BeginTime') : q['PassTime>'] ? time('PassTime>') : undefined;
  // EndTime and PassTime<= name a second that is included.
  const to = q.EndTime ? time('EndTime') + 1_000 : q['PassTime<'] ? time('PassTime<') + 1_000 : undefined;
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  if (from !== undefined && to !== undefined && from >= to) throw bad('the time range is empty (BeginTime after EndTime)');
  return query;
}

/** One page (newest first) and the count of all matches, within the given cameras (the caller resolved DeviceIDs and visibility). */
export async function runMotorVehicleQuery(db: Kysely<Database>, cameraIds: string[], query: MotorVehicleQuery): Promise<{ rows: PassRow[]; total: number }> {
  if (cameraIds.length === 0) return { rows: [], total: 0 };
  const filtered = <O>(base: SelectQueryBuilder<Database, 'checkpoint_passes', O>) => {
    let q = base.where('camera_id', 'in', cameraIds);
    if (query.motorVehicleId) q = q.where('id', '=', query.motorVehicleId);
    if (query.tollgateIds) {
      // Kept in the boxes JSON (as received); the camera and time conditions narrow the rows first.
      const tollgate = isPostgres(db) ? sql<string>`(boxes::jsonb ->> 'tollgateId')` : sql<string>`json_extract(boxes, '$.tollgateId')`;
      q = q.where(tollgate, 'in', query.tollgateIds);
    }
    if (query.plate && 'exact' in query.plate) q = q.where(plateIn(db, [query.plate.exact]));
    if (query.plate && 'pattern' in query.plate) {
      q = isPostgres(db) ? q.where(plateLikeOnPostgres(patternToLike(query.plate.pattern))) : q.where(sql<boolean>`plate glob ${patternToGlob(query.plate.pattern)}`);
    }
    if (query.plateColour) q = q.where('plate_colour', '=', query.plateColour);
    if (query.vehicleColour) q = q.where('vehicle_colour', '=', query.vehicleColour);
    if (query.vehicleClasses) q = q.where('vehicle_class', 'in', query.vehicleClasses);
    if (query.lane !== undefined) q = q.where('lane', '=', query.lane);
    if (query.direction) q = q.where('direction', '=', query.direction);
    if (query.hasPlate !== undefined) q = q.where('plate', query.hasPlate ? '<>' : '=', '');
    if (query.from !== undefined) q = q.where('passed_at', '>=', query.from);
    if (query.to !== undefined) q = q.where('passed_at', '<', query.to);
    return q;
  };
  const counted = await filtered(db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll().as('n'))).executeTakeFirstOrThrow();
  const rows = await filtered(db.selectFrom('checkpoint_passes').selectAll())
    .orderBy('passed_at', 'desc').orderBy('id', 'desc').limit(query.pageSize).offset(query.start - 1).execute();
  return { rows, total: Number(counted.n) };
}
