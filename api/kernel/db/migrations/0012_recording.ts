import type { Kysely } from 'kysely';

/**
 * Recording (issue 16): a plan per camera, the index of recorded segments on disk
 * (`<dataDir>/recordings/<cameraId>/<day>/…`) and the gaps between them.
 * No foreign keys to cameras: recordings outlive a deleted camera until retention removes them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('recording_plans')
    .addColumn('camera_id', 'text', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('pre_roll_s', 'integer', (c) => c.notNull())
    .addColumn('post_roll_s', 'integer', (c) => c.notNull())
    .addColumn('retention_days', 'integer')
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('recording_segments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('keyframes', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recording_segments_camera_idx').on('recording_segments').columns(['camera_id', 'started_at']).execute();
  // Retention by volume takes the oldest segments of any camera.
  await db.schema.createIndex('recording_segments_started_idx').on('recording_segments').column('started_at').execute();
  await db.schema.createIndex('recording_segments_path_idx').on('recording_segments').column('path').unique().execute();

  await db.schema
    .createTable('recording_gaps')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('from_at', 'bigint', (c) => c.notNull())
    .addColumn('to_at', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('recording_gaps_camera_idx').on('recording_gaps').columns(['camera_id', 'from_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['recording_gaps', 'recording_segments', 'recording_plans']) await db.schema.dropTable(table).ifExists().execute();
}
