import { describe, expect, it } from 'vitest';
import { formatLocalTime, isTimeZone, zonedInstant, zonedYearMonth } from '../../api/kernel/time/local-time.ts';

describe('times for people (api/kernel/time/local-time.ts)', () => {
  it('writes China time by default, in the zone asked for otherwise', () => {
    const at = Date.UTC(2026, 11, 31, 16, 0, 5); // 16:00:05 UTC = 00:00:05 on New Year's Day in Shanghai
    expect(formatLocalTime(at)).toBe('2027-01-01 00:00:05');
    expect(formatLocalTime(at, 'UTC')).toBe('2026-12-31 16:00:05');
    expect(formatLocalTime(null)).toBe('');
    expect(zonedYearMonth(at)).toEqual({ year: 2027, monthIndex: 0 });
    expect(zonedYearMonth(at, 'UTC')).toEqual({ year: 2026, monthIndex: 11 });
  });

  it('finds the instant a wall-clock date begins in a zone, across a daylight-saving change and a year end', () => {
    expect(zonedInstant(2027, 0, 1)).toBe(Date.UTC(2026, 11, 31, 16));
    expect(zonedInstant(2026, 12, 1)).toBe(Date.UTC(2026, 11, 31, 16)); // month 12 rolls into January
    expect(zonedInstant(2026, 2, 1, 'America/New_York')).toBe(Date.UTC(2026, 2, 1, 5)); // EST, -05:00
    expect(zonedInstant(2026, 3, 1, 'America/New_York')).toBe(Date.UTC(2026, 3, 1, 4)); // EDT, -04:00
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
