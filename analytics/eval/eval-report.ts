import { checkPlateFormat } from '../vocabulary/plate-format.ts';

/** One labelled picture of an evaluation set. */
export type EvalCase =
  | { kind: 'plate'; file: string; plate: string; layers?: 1 | 2 }
  | { kind: 'crowd'; file: string; count: number };

/**
 * Reads a labels TSV with a header row. Plate sets have a `plate` column (empty = no plate may be read;
 * optional `layers`), crowd sets a `count` column; a file may mix both. Lines starting with # are comments.
 */
export function parseLabels(text: string): EvalCase[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length === 0) throw new Error('the labels file is empty');
  const header = lines[0].split('\t').map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (col('file') < 0 || (col('plate') < 0 && col('count') < 0)) throw new Error('the labels file needs a header row with "file" and "plate" and/or "count" columns');
  const cases: EvalCase[] = [];
  for (const [i, line] of lines.slice(1).entries()) {
    const cells = line.split('\t');
    const file = cells[col('file')]?.trim();
    if (!file) throw new Error(`line ${i + 2}: no file`);
    const count = col('count') >= 0 ? cells[col('count')]?.trim() : '';
    if (count) {
      const n = Number(count);
      if (!Number.isFinite(n) || n < 0) throw new Error(`line ${i + 2}: count "${count}" is not a number`);
      cases.push({ kind: 'crowd', file, count: n });
    } else if (col('plate') >= 0) {
      const layers = col('layers') >= 0 && cells[col('layers')]?.trim() === '2' ? 2 : undefined;
      cases.push({ kind: 'plate', file, plate: (cells[col('plate')] ?? '').trim(), ...(layers ? { layers } : {}) });
    }
  }
  return cases;
}

/** The type a plate label is scored under: its format kind (special plates by their marker), double-layer apart. */
export function plateType(label: string, layers?: 1 | 2): string {
  if (label === '') return 'no plate';
  if (layers === 2) return 'double-layer';
  const format = checkPlateFormat(label);
  if (!format.valid) return 'other';
  return format.kind === 'special' ? `special ${format.marker}` : format.kind!;
}

export function crowdBucket(count: number): '≤30' | '31–150' | '>150' {
  return count <= 30 ? '≤30' : count <= 150 ? '31–150' : '>150';
}

interface PlateRow { type: string; n: number; correct: number }
interface CrowdRow { bucket: string; n: number; absError: number; relError: number }

/** Accumulates results and prints the tables. */
export class EvalReport {
  private readonly plates = new Map<string, PlateRow>();
  private readonly crowd = new Map<string, CrowdRow>();
  readonly misses: string[] = [];

  plate(c: Extract<EvalCase, { kind: 'plate' }>, read: readonly string[]): boolean {
    const type = plateType(c.plate, c.layers);
    const row = this.plates.get(type) ?? { type, n: 0, correct: 0 };
    this.plates.set(type, row);
    row.n++;
    const ok = c.plate === '' ? read.length === 0 : read.includes(c.plate);
    if (ok) row.correct++;
    else this.misses.push(`${c.file}: expected ${c.plate || '(no plate)'}, read ${read.length ? read.join(', ') : '(nothing)'}`);
    return ok;
  }

  crowdCount(c: Extract<EvalCase, { kind: 'crowd' }>, counted: number): void {
    const bucket = crowdBucket(c.count);
    const row = this.crowd.get(bucket) ?? { bucket, n: 0, absError: 0, relError: 0 };
    this.crowd.set(bucket, row);
    row.n++;
    row.absError += Math.abs(counted - c.count);
    row.relError += c.count > 0 ? Math.abs(counted - c.count) / c.count : counted > 0 ? 1 : 0;
  }

  plateRows(): Array<PlateRow & { accuracy: number }> {
    const rows = [...this.plates.values()].sort((a, b) => a.type.localeCompare(b.type));
    const all = rows.reduce((t, r) => ({ type: 'all', n: t.n + r.n, correct: t.correct + r.correct }), { type: 'all', n: 0, correct: 0 });
    return [...rows, ...(rows.length ? [all] : [])].map((r) => ({ ...r, accuracy: r.n ? r.correct / r.n : 0 }));
  }

  crowdRows(): Array<{ bucket: string; n: number; mae: number; relativeError: number }> {
    const order = ['≤30', '31–150', '>150'];
    return [...this.crowd.values()].sort((a, b) => order.indexOf(a.bucket) - order.indexOf(b.bucket))
      .map((r) => ({ bucket: r.bucket, n: r.n, mae: r.absError / r.n, relativeError: r.relError / r.n }));
  }

  table(): string {
    const out: string[] = [];
    const plates = this.plateRows();
    if (plates.length) {
      out.push('plates: full-string match', 'type\tn\tcorrect\taccuracy');
      for (const r of plates) out.push(`${r.type}\t${r.n}\t${r.correct}\t${(r.accuracy * 100).toFixed(1)}%`);
    }
    const crowd = this.crowdRows();
    if (crowd.length) {
      if (out.length) out.push('');
      out.push('crowd: people counted against the label', 'bucket\tn\tMAE\tmean relative error');
      for (const r of crowd) out.push(`${r.bucket}\t${r.n}\t${r.mae.toFixed(1)}\t${(r.relativeError * 100).toFixed(1)}%`);
    }
    return out.join('\n');
  }
}
