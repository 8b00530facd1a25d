import { formatDateTime, timeZone } from './i18n/i18n.js';

// <input type=datetime-local> and type=month hold wall-clock time without a zone. The player shows every time
// in the user's zone (Asia/Shanghai by default, not the browser's), so inputs are filled and read in it too.

/** epoch ms → 'YYYY-MM-DDTHH:MM' in the user's zone. */
export function toZoneInput(ms) {
  return formatDateTime(ms).replace(' ', 'T').slice(0, 16);
}

/** 'YYYY-MM-DDTHH:MM' read as wall time in the user's zone → epoch ms (undefined when empty or malformed). */
export function fromZoneInput(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value ?? '');
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s = '0'] = match.map((part) => part);
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // The zone's offset at that moment, found by formatting the guess back; twice covers a DST edge.
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - (wallClockOf(guess) - guess);
  return guess;
}

/** 'YYYY-MM' of ms in the user's zone. */
export function toZoneMonth(ms) {
  return formatDateTime(ms).slice(0, 7);
}

function wallClockOf(ms) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: timeZone(), year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}
