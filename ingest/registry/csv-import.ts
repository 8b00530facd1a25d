import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import type { CameraCategory } from '../../api/kernel/db/tables/index.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { badRequest, HubError } from '../../api/kernel/errors/hub-error.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { assertCameraUrl } from '../rtsp/camera-url.ts';
import type { CameraInput, CameraRegistry } from './camera-registry.ts';

export const CSV_COLUMNS = ['name', 'department', 'category', 'lat', 'lon', 'address', 'stream_url', 'username', 'password', 'ptz', 'analytics'] as const;
const CATEGORIES = new Set<CameraCategory>(['public_security', 'traffic', 'community', 'other']);
export const MAX_CSV_ROWS = 5_000;

export type RowResult =
  | { row: number; status: 'created'; cameraId: string; name: string }
  | { row: number; status: 'error' | 'skipped'; code: string; message: string };

export interface ImportResult {
  created: number;
  failed: number;
  rows: RowResult[];
}

/** RFC 4180 CSV: quoted fields with "" escapes and embedded newlines; CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
    } else field += c;
  }
  if (quoted) throw badRequest('CSV_MALFORMED', 'CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.some((value) => value.trim() !== ''));
}

/**
 * Bulk registration from CSV (header: name,department,category,lat,lon,address,stream_url,username,
 * password,ptz,analytics). Every row is validated first (URL allowlist, department by id or name, the
 * caller's right to manage it); with allOrNothing one bad row means nothing is created.
 */
export class CsvImporter {
  constructor(private readonly ctx: HubContext, private readonly registry: CameraRegistry) {}

  async import(text: string, user: AuthUser, options: { allOrNothing: boolean }, clientIp?: string): Promise<ImportResult> {
    const [header, ...records] = parseCsv(text.replace(/^\uFEFF/, ''));
    if (!header) throw badRequest('CSV_EMPTY', 'the CSV has no header row');
    const columns = header.map((h) => h.trim().toLowerCase());
    const missing = CSV_COLUMNS.filter((c) => !columns.includes(c));
    if (missing.length) throw badRequest('CSV_HEADER_INVALID', `CSV header lacks: ${missing.join(', ')}`);
    if (records.length > MAX_CSV_ROWS) throw badRequest('CSV_TOO_MANY_ROWS', `at most ${MAX_CSV_ROWS} rows per import`);
    const departments = await this.ctx.db.selectFrom('departments').select(['id', 'name']).execute();
    const rows: RowResult[] = [];
    const valid: Array<{ row: number; input: CameraInput }> = [];
    records.forEach((record, index) => {
      const row = index + 2; // 1-based, after the header
      const get = (name: (typeof CSV_COLUMNS)[number]) => (record[columns.indexOf(name)] ?? '').trim();
      try {
        valid.push({ row, input: toInput(get, departments, user) });
      } catch (error) {
        rows.push(errorRow(row, error));
      }
    });
    if (options.allOrNothing && rows.length > 0) {
      for (const { row } of valid) rows.push({ row, status: 'skipped', code: 'CSV_ALL_OR_NOTHING', message: 'not created: another row has an error' });
      return finish(rows);
    }
    const createdIds: string[] = [];
    for (const { row, input } of valid) {
      try {
        const camera = await this.registry.create(input);
        createdIds.push(camera.id);
        rows.push({ row, status: 'created', cameraId: camera.id, name: camera.name });
      } catch (error) {
        rows.push(errorRow(row, error));
        if (options.allOrNothing) {
          for (const id of createdIds) await this.registry.remove(id).catch(() => {});
          return finish(rows.map((r) => (r.status === 'created' ? { row: r.row, status: 'skipped' as const, code: 'CSV_ALL_OR_NOTHING', message: 'rolled back: another row failed' } : r)));
        }
      }
    }
    const result = finish(rows);
    await this.ctx.audit.append({
      action: 'config.camera.import', userId: user.id, username: user.username, departmentId: user.departmentId, clientIp,
      details: { created: result.created, failed: result.failed, cameraIds: createdIds.slice(0, 200) },
    });
    return result;
  }
}

function toInput(get: (name: (typeof CSV_COLUMNS)[number]) => string, departments: Array<{ id: string; name: string }>, user: AuthUser): CameraInput {
  const name = get('name');
  if (!name || name.length > 200) throw badRequest('CSV_NAME_INVALID', 'name is required (at most 200 characters)');
  const departmentText = get('department');
  const department = departments.find((d) => d.id === departmentText) ?? departments.find((d) => d.name.toLowerCase() === departmentText.toLowerCase());
  if (!department) throw badRequest('DEPARTMENT_UNKNOWN', `department "${departmentText.slice(0, 80)}" does not exist`);
  if (user.role !== 'admin' && department.id !== user.departmentId) {
    throw new HubError('CAMERA_MANAGE_DENIED', 'approvers import cameras into their own department only', 403);
  }
  const category = get('category') as CameraCategory;
  if (!CATEGORIES.has(category)) throw badRequest('CSV_CATEGORY_INVALID', `category must be one of ${[...CATEGORIES].join(', ')}`);
  const lat = coordinate(get('lat'), 90, 'lat');
  const lon = coordinate(get('lon'), 180, 'lon');
  const streamUrl = get('stream_url');
  assertCameraUrl(streamUrl);
  const username = get('username');
  const address = get('address');
  return {
    name, departmentId: department.id, category, lat, lon, address: address ? address.slice(0, 300) : null, streamUrl,
    credentials: username ? { username, password: get('password') } : undefined,
    ptz: flag(get('ptz'), 'ptz'), analyticsEnabled: flag(get('analytics'), 'analytics'), source: 'csv',
  };
}

function coordinate(value: string, limit: number, field: string): number | null {
  if (value === '') return null;
  const number = Number(value);
  if (!Number.isFinite(number) || Math.abs(number) > limit) throw badRequest('CSV_COORDINATE_INVALID', `${field} must be a number within ±${limit}`);
  return number;
}

function flag(value: string, field: string): boolean {
  const v = value.toLowerCase();
  if (['', '0', 'false', 'no', 'n'].includes(v)) return false;
  if (['1', 'true', 'yes', 'y'].includes(v)) return true;
  throw badRequest('CSV_FLAG_INVALID', `${field} must be true/false, yes/no or 1/0`);
}

function errorRow(row: number, error: unknown): RowResult {
  if (error instanceof DomainError) return { row, status: 'error', code: error.code, message: error.message };
  return { row, status: 'error', code: 'CSV_ROW_FAILED', message: 'the row could not be stored' };
}

function finish(rows: RowResult[]): ImportResult {
  rows.sort((a, b) => a.row - b.row);
  return { created: rows.filter((r) => r.status === 'created').length, failed: rows.filter((r) => r.status === 'error').length, rows };
}
