import type { Kysely } from 'kysely';

/**
 * A camera's device identity (issue 17): the WS-Discovery endpoint reference it was adopted from beside the
 * serial number it reports, both looked up when a device is adopted again (after an outage, a new address,
 * a hub or demo restart) so that it stays the same camera with the same id, passes and grants. And the
 * catalogue's order (name, id) as an index, so a page of thousands of cameras is read without sorting them all.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('camera_onvif').addColumn('endpoint_ref', 'text').execute();
  await db.schema.createIndex('camera_onvif_endpoint_ref_idx').on('camera_onvif').column('endpoint_ref').execute();
  await db.schema.createIndex('camera_onvif_serial_idx').on('camera_onvif').columns(['serial', 'manufacturer']).execute();
  await db.schema.createIndex('cameras_name_idx').on('cameras').columns(['name', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cameras_name_idx').execute();
  await db.schema.dropIndex('camera_onvif_serial_idx').execute();
  await db.schema.dropIndex('camera_onvif_endpoint_ref_idx').execute();
  await db.schema.alterTable('camera_onvif').dropColumn('endpoint_ref').execute();
}
