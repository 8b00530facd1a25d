import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';

// The player's date inputs are filled and read in the user's zone (Asia/Shanghai by default), not the
// browser's. The modules read the chosen zone from localStorage; Node has none, so a plain one stands in.
const store = new Map<string, string>();
(globalThis as { localStorage?: unknown }).localStorage = {
  getItem: (key: string) => store.get(key) ?? null, setItem: (key: string, value: string) => { store.set(key, value); }, removeItem: (key: string) => { store.delete(key); },
};
const load = (path: string) => import(pathToFileURL(join(process.cwd(), 'player/web', path)).href);
const { toZoneInput, fromZoneInput, toZoneMonth } = await load('zone-time.js') as { toZoneInput: (ms: number) => string; fromZoneInput: (v: string) => number | undefined; toZoneMonth: (ms: number) => string };
const { setTimeZone, formatDateTime } = await load('i18n/i18n.js') as { setTimeZone: (zone: string) => void; formatDateTime: (ms: number) => string };

describe('times in the user\'s zone', () => {
  beforeEach(() => store.clear());

  it('shows and reads China time by default', () => {
    const at = Date.UTC(2026, 11, 6, 16, 30, 0); // 16:30 UTC = 00:30 next day in Shanghai
    expect(formatDateTime(at)).toBe('2026-12-07 00:30:00');
    expect(toZoneInput(at)).toBe('2026-12-07T00:30');
    expect(fromZoneInput('2026-12-07T00:30')).toBe(at);
    expect(toZoneMonth(at)).toBe('2026-12');
    expect(fromZoneInput('')).toBeUndefined();
    expect(fromZoneInput('yesterday')).toBeUndefined();
  });

  it('follows the zone the user picks, across a daylight-saving change', () => {
    setTimeZone('America/New_York');
    const beforeChange = Date.UTC(2026, 2, 8, 6, 30); // 01:30 EST, the night clocks go forward
    const afterChange = Date.UTC(2026, 2, 8, 7, 30); // 03:30 EDT
    expect(toZoneInput(beforeChange)).toBe('2026-03-08T01:30');
    expect(toZoneInput(afterChange)).toBe('2026-03-08T03:30');
    expect(fromZoneInput('2026-03-08T01:30')).toBe(beforeChange);
    expect(fromZoneInput('2026-03-08T03:30')).toBe(afterChange);
    setTimeZone('UTC');
    expect(fromZoneInput('2026-03-08T03:30')).toBe(Date.UTC(2026, 2, 8, 3, 30));
    expect(() => setTimeZone('Mars/Olympus')).toThrow(RangeError);
  });
});
