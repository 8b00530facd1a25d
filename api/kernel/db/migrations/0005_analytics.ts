import type { Kysely } from 'kysely';

/** Crowd zones per camera, the crowd time series, and crowd alerts. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('analytics_zones')
    .addColumn('camera_id', 'text', (c) => c.notNull().references('cameras.id').onDelete('cascade'))
    .addColumn('zone_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('polygon', 'text', (c) => c.notNull())
    .addColumn('threshold', 'integer', (c) => c.notNull())
    .addColumn('duration_seconds', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('analytics_zones_pk', ['camera_id', 'zone_id'])
    .execute();

  // No foreign key: the series outlives a deleted camera until retention removes it.
  await db.schema
    .createTable('crowd_samples')
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('zone_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('crowd_samples_pk', ['camera_id', 'zone_id', 'at'])
    .execute();

  await db.schema
    .createTable('crowd_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('zone_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .addColumn('threshold', 'integer', (c) => c.notNull())
    .addColumn('peak_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('crowd_alerts_camera_idx').on('crowd_alerts').columns(['camera_id', 'raised_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['crowd_alerts', 'crowd_samples', 'analytics_zones']) await db.schema.dropTable(table).ifExists().execute();
}
