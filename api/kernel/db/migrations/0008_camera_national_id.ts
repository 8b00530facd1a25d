import type { Kysely } from 'kysely';

/**
 * A camera's national 20-digit device code (GB/T 28181 and GA/T 1400 DeviceID: civil code, industry,
 * type, serial). It is the identity other platforms know a camera by, so it is unique where set; the
 * internal id stays the key every other table refers to.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cameras').addColumn('national_id', 'text').execute();
  await db.schema.createIndex('cameras_national_id_unique').on('cameras').column('national_id').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cameras_national_id_unique').execute();
  await db.schema.alterTable('cameras').dropColumn('national_id').execute();
}
