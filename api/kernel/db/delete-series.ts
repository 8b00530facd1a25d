import type { Kysely } from 'kysely';
import type { Database } from './tables/index.ts';

const DAY_MS = 86_400_000;

/** The growing time series (an `at` column, in ms) that retention trims. */
export type SeriesTable = 'crowd_samples' | 'camera_status_changes';

/**
 * Deletes a time series' rows with `at` before the cutoff, one day of the backlog per statement, so a
 * years-deep backlog never holds one giant transaction. Returns how many rows went.
 */
export async function deleteSeriesBefore(db: Kysely<Database>, table: SeriesTable, cutoff: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { oldest } = await db.selectFrom(table).select((eb) => eb.fn.min('at').as('oldest')).where('at', '<', cutoff).executeTakeFirstOrThrow();
    if (oldest === null || oldest === undefined) return deleted;
    const sliceEnd = Math.min(cutoff, Number(oldest) + DAY_MS);
    deleted += Number((await db.deleteFrom(table).where('at', '<', sliceEnd).executeTakeFirst()).numDeletedRows);
  }
}
