import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One row of the fault table: what was injected, what had to survive it, what did. */
export interface FaultRow {
  fault: string;
  /** Records acknowledged before/while the fault hit (must all be there afterwards). */
  expected: number;
  /** Distinct acknowledged records found afterwards. */
  found: number;
  /** Records stored more than once. */
  duplicates: number;
  /** Seconds from the end of the fault until the system served again; null when not applicable. */
  recoverySeconds: number | null;
  /** Free text: database kind, extra figures. */
  note?: string;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** JSON lines, appended by test files (several vitest workers at once), read by the reporter at the end. */
export const FAULT_TABLE_FILE = resolve(root, 'test-artifacts/fault-table.jsonl');

export function recordFault(row: FaultRow): void {
  mkdirSync(dirname(FAULT_TABLE_FILE), { recursive: true });
  // One short appendFileSync per row: O_APPEND writes this small do not interleave between processes.
  appendFileSync(FAULT_TABLE_FILE, `${JSON.stringify(row)}\n`);
}

export function readFaultRows(): FaultRow[] {
  if (!existsSync(FAULT_TABLE_FILE)) return [];
  return readFileSync(FAULT_TABLE_FILE, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as FaultRow);
}

export function clearFaultRows(): void {
  rmSync(FAULT_TABLE_FILE, { force: true });
}

/** Plain-text table, widest cell per column. */
export function formatFaultTable(rows: FaultRow[]): string {
  const header = ['fault', 'records expected', 'records found', 'duplicates', 'recovery s', 'note'];
  const body = rows.map((r) => [r.fault, String(r.expected), String(r.found), String(r.duplicates), r.recoverySeconds === null ? '-' : r.recoverySeconds.toFixed(1), r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
