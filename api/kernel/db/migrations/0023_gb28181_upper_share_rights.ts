import type { Kysely } from 'kysely';

/**
 * What a camera shared upward lets the upper platform do beyond watching live: move its PTZ (DeviceControl
 * relayed to the device) and read its recordings (RecordInfo relayed to the device). Both off by default,
 * so existing shares keep exactly the rights they were approved with.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('gb_upper_shares').addColumn('ptz', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('gb_upper_shares').addColumn('playback', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('gb_upper_shares').dropColumn('playback').execute();
  await db.schema.alterTable('gb_upper_shares').dropColumn('ptz').execute();
}
