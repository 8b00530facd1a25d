import type { Kysely } from 'kysely';

/**
 * Downward subscriptions (issue 14): the hub subscribes to a lower 视图库 platform or device for its
 * MotorVehicles. A peer gets the base URL it is reached at (`base_url`, only for the peers we subscribe to);
 * `viid_issued_subscriptions` keeps each SubscribeID we issued, what it asks for, what the lower one answered,
 * and what arrived for it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('viid_peers').addColumn('base_url', 'text').execute();
  await db.schema.createTable('viid_issued_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('peer_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('resource_uri', 'text')
    .addColumn('begin_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('report_interval', 'integer')
    .addColumn('receive_addr', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('status_text', 'text')
    .addColumn('notifications', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('objects', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_notified_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('cancelled_at', 'bigint')
    .execute();
  await db.schema.createIndex('viid_issued_subscriptions_peer_idx').on('viid_issued_subscriptions').column('peer_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('viid_issued_subscriptions').execute();
  await db.schema.alterTable('viid_peers').dropColumn('base_url').execute();
}
