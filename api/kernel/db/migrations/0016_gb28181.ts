import type { Kysely } from 'kysely';

/**
 * GB/T 28181 devices (IPCs, NVRs, lower platforms) that register over SIP, and the channels their
 * catalogues list. A channel becomes a hub camera (cameras.national_id = channel ID) once an admin has
 * given its device an owner department.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('gb_devices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('department_id', 'text', (c) => c.references('departments.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('password_enc', 'text')
    .addColumn('transport', 'text', (c) => c.notNull())
    .addColumn('stream_mode', 'text', (c) => c.notNull().defaultTo('udp'))
    .addColumn('address', 'text')
    .addColumn('port', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('charset', 'text', (c) => c.notNull())
    .addColumn('register_call_id', 'text')
    .addColumn('expires_s', 'integer')
    .addColumn('registered_at', 'bigint')
    .addColumn('last_keepalive_at', 'bigint')
    .addColumn('manufacturer', 'text')
    .addColumn('model', 'text')
    .addColumn('firmware', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('gb_channels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'text', (c) => c.notNull().references('gb_devices.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('civil_code', 'text')
    .addColumn('address', 'text')
    .addColumn('manufacturer', 'text')
    .addColumn('model', 'text')
    .addColumn('parent_id', 'text')
    .addColumn('ptz_type', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lon', 'double precision')
    .addColumn('lat', 'double precision')
    .addColumn('camera_id', 'text', (c) => c.references('cameras.id').onDelete('set null'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('gb_channels_device').on('gb_channels').column('device_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('gb_channels').execute();
  await db.schema.dropTable('gb_devices').execute();
}
