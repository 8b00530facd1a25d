import type { Kysely } from 'kysely';

/** Time indexes for the retention job: it deletes these series by age alone, which without them is a full scan. */
const INDEXES: Array<[name: string, table: string, column: string]> = [
  ['crowd_samples_at_idx', 'crowd_samples', 'at'],
  ['crowd_alerts_ended_idx', 'crowd_alerts', 'ended_at'],
  ['camera_status_changes_at_idx', 'camera_status_changes', 'at'],
  ['access_notifications_created_idx', 'access_notifications', 'created_at'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, table, column] of INDEXES) await db.schema.createIndex(name).on(table).column(column).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of INDEXES) await db.schema.dropIndex(name).ifExists().execute();
}
