import { describe, expect, it } from 'vitest';
import { timeSlices, type TimeSlice } from '../../api/checkpoint/time-slices.ts';
import { DAY_MS } from '../../api/kernel/db/day-partitions.ts';

const now = Date.UTC(2025, 5, 30, 13, 0, 0);
const contains = (s: TimeSlice, t: number) => (s.from === undefined || t >= s.from) && (s.to === undefined || t < s.to);

/** Every instant of the window falls in exactly one slice, and slices come in page order. */
function checkCover(range: TimeSlice, newest: boolean, slices: TimeSlice[]): void {
  const lo = range.from ?? now - 400 * DAY_MS;
  const hi = range.to ?? now + 5 * DAY_MS;
  for (let t = lo; t < hi; t += 6 * 3_600_000 + 17) {
    expect(slices.filter((s) => contains(s, t))).toHaveLength(1);
  }
  for (let i = 1; i < slices.length; i++) {
    if (newest) expect(slices[i].to).toBe(slices[i - 1].from);
    else expect(slices[i].from).toBe(slices[i - 1].to);
  }
}

describe('search time slices', () => {
  it('cut a 30-day window from its newest end into day-aligned slices that double', () => {
    const range = { from: now - 30 * DAY_MS, to: now };
    const slices = timeSlices(range, true, undefined, now);
    checkCover(range, true, slices);
    expect(slices[0]).toEqual({ from: Date.UTC(2025, 5, 30), to: now });
    expect(slices[1]).toEqual({ from: Date.UTC(2025, 5, 28), to: Date.UTC(2025, 5, 30) });
    expect(slices.at(-1)!.from).toBe(range.from);
    expect(slices.length).toBeLessThanOrEqual(6);
  });

  it('cover open windows (rows after now, rows years old) and oldest-first order', () => {
    for (const newest of [true, false]) {
      for (const range of [{}, { from: now - 3 * DAY_MS }, { to: now - 2 * DAY_MS }, { from: now - 90 * DAY_MS, to: now - 89.5 * DAY_MS }, { from: now - 60 * DAY_MS, to: now + DAY_MS }]) {
        checkCover(range, newest, timeSlices(range, newest, undefined, now));
      }
    }
    expect(timeSlices({}, true, undefined, now)[0].to).toBeUndefined();
  });

  it('start at the cursor: nothing already paged past is read again', () => {
    const cursorAt = now - 5 * DAY_MS + 1_000;
    const slices = timeSlices({ from: now - 30 * DAY_MS, to: now }, true, cursorAt, now);
    expect(slices[0].to).toBe(cursorAt + 1);
    checkCover({ from: now - 30 * DAY_MS, to: cursorAt + 1 }, true, slices);
    const oldest = timeSlices({ from: now - 30 * DAY_MS, to: now }, false, cursorAt, now);
    expect(oldest[0].from).toBe(cursorAt);
    checkCover({ from: cursorAt, to: now }, false, oldest);
  });
});
