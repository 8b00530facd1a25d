import type { Kysely } from 'kysely';

/**
 * Cameras shared upward to the configured upper GB/T 28181 platform (the city's): an explicit list, each
 * entry added by an approver of the camera's owning department (or an admin) and audited.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('gb_upper_shares')
    .addColumn('camera_id', 'text', (c) => c.primaryKey().references('cameras.id').onDelete('cascade'))
    .addColumn('approved_by', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('gb_upper_shares').execute();
}
