import type { Kysely } from 'kysely';

/**
 * GA/T 1400 subscriptions as the standard has them (issue 14): a subscription belongs to the upper platform
 * (or upstream 视图库) that sent POST /VIID/Subscribes, keeps the SubscribeID that platform issued (the row's
 * id), its SubscribeDetail, ResourceURI (the devices it covers), ReportInterval and ResultImageDeclare.
 * Admin-made subscriptions keep peer_id null. A delivery remembers the StatusCode the receiver answered.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('checkpoint_subscriptions').addColumn('peer_id', 'text').execute();
  await db.schema.alterTable('checkpoint_subscriptions').addColumn('title', 'text').execute();
  await db.schema.alterTable('checkpoint_subscriptions').addColumn('detail', 'text', (c) => c.notNull().defaultTo('13')).execute();
  await db.schema.alterTable('checkpoint_subscriptions').addColumn('resource_uri', 'text').execute();
  await db.schema.alterTable('checkpoint_subscriptions').addColumn('report_interval', 'integer').execute();
  await db.schema.alterTable('checkpoint_subscriptions').addColumn('result_image_declare', 'text').execute();
  await db.schema.alterTable('checkpoint_subscriptions').addColumn('department_id', 'text').execute();
  await db.schema.alterTable('checkpoint_subscriptions').addColumn('updated_at', 'bigint').execute();
  await db.schema.createIndex('checkpoint_subscriptions_peer_idx').on('checkpoint_subscriptions').column('peer_id').execute();
  await db.schema.alterTable('checkpoint_deliveries').addColumn('status_code', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('checkpoint_deliveries').dropColumn('status_code').execute();
  await db.schema.dropIndex('checkpoint_subscriptions_peer_idx').execute();
  for (const column of ['updated_at', 'department_id', 'result_image_declare', 'report_interval', 'resource_uri', 'detail', 'title', 'peer_id']) {
    await db.schema.alterTable('checkpoint_subscriptions').dropColumn(column).execute();
  }
}
