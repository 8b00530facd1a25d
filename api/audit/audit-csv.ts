import { formatLocalTime } from '../kernel/time/local-time.ts';
import type { AuditRow } from './audit-query.ts';

/**
 * Columns people read first (time in the display zone, names), then the ids and hashes machines and the
 * verifier need, unchanged: `at` (epoch ms), `at_iso` (UTC), `user_id`, `department_id`, `target_id`.
 */
export const AUDIT_CSV_COLUMNS = [
  'seq', 'time', 'username', 'department', 'action', 'target_type', 'target', 'result', 'reason', 'client_ip', 'details',
  'id', 'at_iso', 'at', 'user_id', 'department_id', 'target_id', 'prev_hash', 'hash',
] as const;

/** Names for ids in the export; an id without a name stays blank in the name column (the id column keeps it). */
export interface AuditNames {
  department(id: string | null): string | null;
  target(type: string | null, id: string | null): string | null;
}

/**
 * One CSV field (RFC 4180 quoting). Text starting with = + - @ or a tab is prefixed with ' so that a
 * spreadsheet opening the export does not run it as a formula (usernames and reasons are user input).
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function auditCsvLine(row: AuditRow, names: AuditNames, timeZone: string): string {
  const at = Number(row.at);
  const values = [
    Number(row.seq), formatLocalTime(at, timeZone), row.username, names.department(row.department_id), row.action,
    row.target_type, names.target(row.target_type, row.target_id), row.result, row.reason, row.client_ip, row.details,
    row.id, new Date(at).toISOString(), at, row.user_id, row.department_id, row.target_id, row.prev_hash, row.hash,
  ];
  return `${values.map(csvField).join(',')}\r\n`;
}

/** BOM (spreadsheets then read the Chinese as UTF-8), header and rows as a stream of lines. */
export async function* auditCsv(rows: AsyncIterable<AuditRow>, names: AuditNames, timeZone: string): AsyncGenerator<string> {
  yield `\uFEFF${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
  for await (const row of rows) yield auditCsvLine(row, names, timeZone);
}
