import type { Kysely } from 'kysely';

/**
 * GA/T 1400 视图库 peers (卡口 devices and platforms that register with us), the devices each may report
 * for, and the 卡口 directory they report (tollgates and their lanes). A peer's 20-digit ID is its key;
 * its digest password is sealed like camera credentials.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('viid_peers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.notNull())
    .addColumn('password_enc', 'text', (c) => c.notNull())
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('registered_at', 'bigint')
    .addColumn('registered_from', 'text')
    .addColumn('last_seen_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('viid_peer_devices')
    .addColumn('peer_id', 'text', (c) => c.notNull())
    .addColumn('national_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('viid_peer_devices_pk', ['peer_id', 'national_id'])
    .execute();
  await db.schema.createIndex('viid_peer_devices_device_idx').on('viid_peer_devices').column('national_id').execute();
  await db.schema
    .createTable('viid_tollgates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('peer_id', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('lat', 'real')
    .addColumn('lon', 'real')
    .addColumn('place_code', 'text')
    .addColumn('category', 'text')
    .addColumn('usage', 'text')
    .addColumn('lane_count', 'integer')
    .addColumn('status', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('viid_lanes')
    .addColumn('tollgate_id', 'text', (c) => c.notNull())
    .addColumn('lane_no', 'integer', (c) => c.notNull())
    .addColumn('lane_id', 'text')
    .addColumn('name', 'text')
    .addColumn('direction', 'text')
    .addColumn('description', 'text')
    .addColumn('max_speed', 'integer')
    .addColumn('ape_id', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('viid_lanes_pk', ['tollgate_id', 'lane_no'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('viid_lanes').execute();
  await db.schema.dropTable('viid_tollgates').execute();
  await db.schema.dropTable('viid_peer_devices').execute();
  await db.schema.dropTable('viid_peers').execute();
}
