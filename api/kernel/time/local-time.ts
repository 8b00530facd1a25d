/**
 * Times for people: exports and reports show wall-clock time in the hub's display zone (`display.timeZone`,
 * Asia/Shanghai by default) as `2026-12-06 20:41:05`, next to the epoch-ms and ISO columns machines read.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** True when the runtime knows the IANA zone name. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** epoch ms → 'YYYY-MM-DD HH:mm:ss' in `zone`; '' for null. */
export function formatLocalTime(ms: number | null | undefined, zone: string = DEFAULT_TIME_ZONE): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  let formatter = formatters.get(zone);
  if (!formatter) {
    // sv-SE writes ISO-like dates (2026-12-06 20:41:05); hourCycle h23 keeps midnight 00.
    formatter = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, formatter);
  }
  return formatter.format(new Date(ms));
}
