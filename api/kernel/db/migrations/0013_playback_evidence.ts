import type { Kysely } from 'kysely';

/**
 * Playback and evidence export (issue 16, items 3–5):
 * - requests and grants gain the playback scope's lookback limit (none, the grant's own window, or the
 *   last N days), carried from the request to the grant;
 * - evidence_exports holds export jobs (clip or still), their progress and result, so a job survives a
 *   hub restart and its manifest (SHA-256 of the file) stays with it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['access_requests', 'grants']) {
    await db.schema.alterTable(table).addColumn('playback_lookback', 'text').execute();
    await db.schema.alterTable(table).addColumn('playback_days', 'integer').execute();
  }

  await db.schema
    .createTable('evidence_exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('from_at', 'bigint', (c) => c.notNull())
    .addColumn('to_at', 'bigint', (c) => c.notNull())
    .addColumn('pass_id', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('caption', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('progress', 'real', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('file_name', 'text')
    .addColumn('bytes', 'bigint')
    .addColumn('duration_ms', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('manifest', 'text')
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('evidence_exports_user_idx').on('evidence_exports').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('evidence_exports_state_idx').on('evidence_exports').columns(['state', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evidence_exports').ifExists().execute();
  for (const table of ['access_requests', 'grants']) {
    await db.schema.alterTable(table).dropColumn('playback_days').execute();
    await db.schema.alterTable(table).dropColumn('playback_lookback').execute();
  }
}
