import type { AuditRow } from './audit-query.ts';

export const AUDIT_CSV_COLUMNS = ['seq', 'id', 'at_iso', 'at', 'user_id', 'username', 'department_id', 'action', 'target_type', 'target_id', 'result', 'reason', 'client_ip', 'details', 'prev_hash', 'hash'] as const;

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

export function auditCsvLine(row: AuditRow): string {
  const at = Number(row.at);
  const values = [
    Number(row.seq), row.id, new Date(at).toISOString(), at, row.user_id, row.username, row.department_id, row.action,
    row.target_type, row.target_id, row.result, row.reason, row.client_ip, row.details, row.prev_hash, row.hash,
  ];
  return `${values.map(csvField).join(',')}\r\n`;
}

/** Header and rows as a stream of lines. */
export async function* auditCsv(rows: AsyncIterable<AuditRow>): AsyncGenerator<string> {
  yield `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
  for await (const row of rows) yield auditCsvLine(row);
}
