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

/** The wall clock of ms in `zone` read as if it were UTC (its offset folded in): for turning wall times back into instants. */
function wallAsUtc(ms: number, zone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
  }).formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/** The instant a wall-clock time (month index 0-based, may overflow into the next year) happens in `zone`. */
export function zonedInstant(year: number, monthIndex: number, day: number, zone: string = DEFAULT_TIME_ZONE): number {
  const wall = Date.UTC(year, monthIndex, day);
  let guess = wall;
  // The zone's offset at the guess, applied twice so a daylight-saving edge settles.
  for (let i = 0; i < 2; i++) guess = wall - (wallAsUtc(guess, zone) - guess);
  return guess;
}

/** Year and 0-based month of ms in `zone`. */
export function zonedYearMonth(ms: number, zone: string = DEFAULT_TIME_ZONE): { year: number; monthIndex: number } {
  const [year, month] = formatLocalTime(ms, zone).split('-');
  return { year: Number(year), monthIndex: Number(month) - 1 };
}
