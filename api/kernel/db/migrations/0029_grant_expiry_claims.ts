import { sql, type Kysely } from 'kysely';

/**
 * Each grant's end by time is announced once cluster-wide (issue 19): the node whose sweep sets
 * expiry_announced_at (conditionally, in the transaction that audits it) announces it; no other node
 * does. Grants that ended before this migration count as announced, as the one-process hub did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('grants').addColumn('expiry_announced_at', 'bigint').execute();
  await sql`update grants set expiry_announced_at = ends_at where ends_at <= ${Date.now()}`.execute(db);
  await db.schema.createIndex('grants_expiry_due_idx').on('grants').columns(['expiry_announced_at', 'ends_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('grants_expiry_due_idx').execute();
  await db.schema.alterTable('grants').dropColumn('expiry_announced_at').execute();
}
