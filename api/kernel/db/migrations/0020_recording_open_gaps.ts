import type { Kysely } from 'kysely';

/**
 * A camera drop is recorded when it happens (issue 16): a gap row is written as soon as video stops, with
 * `ongoing` 1 and `to_at` the time the drop was noticed, and closed (`ongoing` 0, `to_at` when video came
 * back) once the camera resumes. The timeline shows an ongoing gap up to now.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('recording_gaps').addColumn('ongoing', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('recording_gaps').dropColumn('ongoing').execute();
}
