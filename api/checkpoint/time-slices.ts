import { DAY_MS, dayStart } from '../kernel/db/day-partitions.ts';

/** A half-open time range [from, to) in epoch ms; undefined = unbounded on that side. */
export interface TimeSlice {
  from?: number;
  to?: number;
}

/** After this many days of slices the rest of the window is read in one statement. */
const SLICED_DAYS = 32;

/**
 * Splits a search window into disjoint slices in page order: newest first (or oldest first), the first
 * slice the part of the window in its edge's day, then 2, 4, 8, 16 … days, day-aligned so that
 * each statement touches only the day partitions it needs; after SLICED_DAYS the remainder is one slice.
 * An open edge is anchored at `now` (newest first) — rows dated after now still fall in the first slice.
 * `cursorAt` (keyset pagination) narrows the window to the side of the cursor still to be read.
 */
export function timeSlices(range: TimeSlice, newest: boolean, cursorAt: number | undefined, now: number): TimeSlice[] {
  let { from, to } = range;
  if (cursorAt !== undefined) {
    if (newest) to = to === undefined ? cursorAt + 1 : Math.min(to, cursorAt + 1);
    else from = from === undefined ? cursorAt : Math.max(from, cursorAt);
  }
  if (from !== undefined && to !== undefined && from >= to) return [{ from, to }];
  const out: TimeSlice[] = [];
  if (newest) {
    let upper = to;
    let edge = dayStart((to ?? now) - 1);
    for (let span = 1, walked = 0; walked < SLICED_DAYS && (from === undefined || edge > from);) {
      out.push({ from: edge, to: upper });
      upper = edge;
      walked += span;
      span *= 2;
      edge -= span * DAY_MS;
    }
    out.push({ from, to: upper });
  } else {
    if (from === undefined) return [{ from, to }];
    let lower = from;
    let edge = dayStart(from) + DAY_MS;
    for (let span = 1, walked = 0; walked < SLICED_DAYS && (to === undefined || edge < to);) {
      out.push({ from: lower, to: edge });
      lower = edge;
      walked += span;
      span *= 2;
      edge += span * DAY_MS;
    }
    out.push({ from: lower, to });
  }
  return out;
}
