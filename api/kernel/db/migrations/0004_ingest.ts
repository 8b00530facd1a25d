import type { Kysely } from 'kysely';

/** Discovery candidates, ONVIF facts of adopted cameras, and the camera status history. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('camera_candidates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('endpoint_ref', 'text', (c) => c.notNull().unique())
    .addColumn('xaddr', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('hardware', 'text')
    .addColumn('location_scopes', 'text', (c) => c.notNull())
    .addColumn('discovered_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    // A removed camera makes its device adoptable again.
    .addColumn('adopted_camera_id', 'text', (c) => c.references('cameras.id').onDelete('set null'))
    .execute();

  await db.schema
    .createTable('camera_onvif')
    .addColumn('camera_id', 'text', (c) => c.primaryKey().references('cameras.id').onDelete('cascade'))
    .addColumn('device_xaddr', 'text', (c) => c.notNull())
    .addColumn('media_xaddr', 'text')
    .addColumn('ptz_xaddr', 'text')
    .addColumn('profile_token', 'text', (c) => c.notNull())
    .addColumn('sub_profile_token', 'text')
    .addColumn('manufacturer', 'text')
    .addColumn('model', 'text')
    .addColumn('firmware', 'text')
    .addColumn('serial', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('camera_status_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('camera_id', 'text', (c) => c.notNull().references('cameras.id').onDelete('cascade'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('previous', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .execute();
  await db.schema.createIndex('camera_status_changes_camera_idx').on('camera_status_changes').columns(['camera_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['camera_status_changes', 'camera_onvif', 'camera_candidates']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
