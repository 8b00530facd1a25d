import { PROVINCES, SPECIAL_PREFIXES, SPECIAL_SUFFIXES } from './plate-vocabulary.js';

/**
 * Plate text rules: normalising what OCR or a user typed, folding OCR-confusable characters, wildcard
 * patterns, and the variants behind fuzzy search.
 */

/** Each confusion class maps to one representative (a digit). O joins 0/D/Q: plates never use O, OCR does. */
const FOLD: Record<string, string> = { D: '0', Q: '0', O: '0', B: '8', I: '1', Z: '2', S: '5', G: '6' };

/** What may start a plate (substitutions at position 0) and what may end one (special-use plates). */
const LEADING = PROVINCES + SPECIAL_PREFIXES;
/** What is left of A–Z0–9 after folding. */
const FOLDED_ALNUM = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'].filter((c) => !(c in FOLD)).join('');

const PLATE_CHARS = /^[\p{Script=Han}A-Z0-9]{2,10}$/u;

/** Upper-case, no spaces, separators or dots ("京A·12345" → "京A12345"); undefined when it cannot be a plate. */
export function normalisePlate(input: string): string | undefined {
  const plate = input.normalize('NFKC').toUpperCase().replace(/[\s·.\-_]/g, '');
  return PLATE_CHARS.test(plate) ? plate : undefined;
}

export function foldPlate(plate: string): string {
  let out = '';
  for (const ch of plate) out += FOLD[ch] ?? ch;
  return out;
}

/**
 * Every folded string within edit distance 1 of `folded` (and itself), over the alphabet a plate can hold at
 * each position. About 450 strings for a 7-character plate: fuzzy search probes the folded-plate index with
 * all of them (`plate_folded IN (…)`), so it costs a few hundred index seeks, not a table scan, at any size.
 */
export function foldedVariants(folded: string): string[] {
  const chars = [...folded];
  const out = new Set<string>([folded]);
  const alphabetAt = (position: number, length: number) =>
    position === 0 ? LEADING + FOLDED_ALNUM : position === length - 1 ? FOLDED_ALNUM + SPECIAL_SUFFIXES : FOLDED_ALNUM;
  for (let i = 0; i < chars.length; i++) {
    out.add([...chars.slice(0, i), ...chars.slice(i + 1)].join(''));
    for (const c of alphabetAt(i, chars.length)) out.add([...chars.slice(0, i), c, ...chars.slice(i + 1)].join(''));
  }
  for (let i = 0; i <= chars.length; i++) {
    for (const c of alphabetAt(i, chars.length + 1)) out.add([...chars.slice(0, i), c, ...chars.slice(i)].join(''));
  }
  return [...out].filter((v) => v.length >= 2);
}

/**
 * Levenshtein distance, capped: returns cap+1 as soon as it is certainly larger. The one implementation for
 * checkpoint search and the analytics pass tracker (one OCR disagreement is the same plate).
 */
export function editDistance(a: string, b: string, cap = 2): number {
  const x = [...a];
  const y = [...b];
  if (Math.abs(x.length - y.length) > cap) return cap + 1;
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > cap) return cap + 1;
    previous = current;
  }
  return Math.min(previous[y.length], cap + 1);
}

const PATTERN_CHARS = /^[\p{Script=Han}A-Z0-9*?]{1,12}$/u;

/** A wildcard pattern: * = any run, ? = one character. Normalised like a plate; undefined when invalid. */
export function normalisePattern(input: string): string | undefined {
  const pattern = input.normalize('NFKC').toUpperCase().replace(/[\s·.\-_]/g, '');
  if (!PATTERN_CHARS.test(pattern) || !/[^*?]/.test(pattern)) return undefined;
  return pattern;
}

export function patternToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c)).join('');
  return new RegExp(`^${body}$`, 'u');
}

/** SQL LIKE form: the pattern alphabet has no %, _ or \, so no escaping is needed. */
export function patternToLike(pattern: string): string {
  return pattern.replaceAll('*', '%').replaceAll('?', '_');
}

/** SQLite GLOB form (case-sensitive, so a literal prefix uses the b-tree). */
export function patternToGlob(pattern: string): string {
  return pattern;
}
