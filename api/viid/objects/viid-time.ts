import { DomainError } from '../../kernel/errors/domain-error.ts';

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The last second formatted: a batch reply stamps each of its statuses with the same second. */
let lastSecond = Number.NaN;
let lastText = '';

/** GA/T 1400 times are local `YYYYMMDDhhmmss`; the standard's deployments use China time (UTC+8). */
export function viidTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1_000);
  if (second === lastSecond) return lastText;
  const d = new Date(epochMs + CHINA_OFFSET_MS);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  lastText = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  lastSecond = second;
  return lastText;
}

/**
 * A time as peers send it: `YYYYMMDDhhmmss` (China time; some devices add 3 digits of milliseconds), or
 * epoch milliseconds as a number or a 13-digit string (xiezhihui98 writes LocalTime that way). Throws
 * VIID_TIME_INVALID for anything else, including impossible dates (20250231…).
 */
export function parseViidTime(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  const text = typeof value === 'string' ? value.trim() : '';
  if (/^[0-9]{13}$/.test(text)) return Number(text);
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{3})?$/.exec(text);
  if (!m) throw new DomainError('VIID_TIME_INVALID', `${field} must be YYYYMMDDhhmmss`);
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map((part) => Number(part ?? 0)) as number[];
  const utc = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms!);
  const check = new Date(utc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo! - 1 || check.getUTCDate() !== d || h! > 23 || mi! > 59 || s! > 59) {
    throw new DomainError('VIID_TIME_INVALID', `${field} is not a real date and time`);
  }
  return utc - CHINA_OFFSET_MS;
}
