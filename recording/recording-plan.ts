import type { RecordingEventKind, RecordingMode } from '../api/kernel/db/tables/recording.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Per weekday, time ranges "HH:MM"–"HH:MM" in China time (UTC+8, no daylight saving); "24:00" ends a day. */
export type WeeklySchedule = Partial<Record<Weekday, Array<[string, string]>>>;

export const RECORDING_EVENT_KINDS: readonly RecordingEventKind[] = ['motion', 'plate', 'watchlist', 'crowd'];

/** A camera's recording plan as the API and the recorder see it. */
export interface RecordingPlan {
  cameraId: string;
  mode: RecordingMode;
  schedule: WeeklySchedule;
  events: RecordingEventKind[];
  preRollSeconds: number;
  postRollSeconds: number;
  /** null = `recording.retentionDays`. */
  retentionDays: number | null;
  updatedBy: string;
  updatedAt: number;
}

const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
}

/** "HH:MM" with 00:00–24:00; the route schema checks the pattern, this checks order. */
export function scheduleProblem(schedule: WeeklySchedule): string | undefined {
  for (const [day, ranges] of Object.entries(schedule)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) return `unknown weekday ${day}`;
    for (const [from, to] of ranges ?? []) {
      if (minutesOf(from) >= minutesOf(to)) return `${day}: ${from}–${to} does not end after it starts`;
      if (minutesOf(to) > 24 * 60) return `${day}: ${to} is past 24:00`;
    }
  }
  return undefined;
}

/** Whether the weekly table covers the instant `at` (China time). */
export function scheduleCovers(schedule: WeeklySchedule, at: number): boolean {
  const local = at + CHINA_OFFSET_MS;
  // 1970-01-01 was a Thursday (index 3 from Monday).
  const day = WEEKDAYS[(Math.floor(local / DAY_MS) + 3) % 7]!;
  const minute = Math.floor((local % DAY_MS) / 60_000);
  return (schedule[day] ?? []).some(([from, to]) => minute >= minutesOf(from) && minute < minutesOf(to));
}

/** The day folder of a recording (China date), e.g. 2026-12-07. */
export function chinaDay(at: number): string {
  return new Date(at + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}
