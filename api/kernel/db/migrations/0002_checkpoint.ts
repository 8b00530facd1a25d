import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.ts';

/**
 * Checkpoint (卡口) passes, watchlists, alerts, cloned-plate findings, subscriptions and webhook deliveries.
 * Passes: b-trees for plate, folded plate and camera, each with passed_at so that "newest first" reads the
 * index in order. On PostgreSQL passed_at gets a BRIN index (tiny, fits years of append-ordered data);
 * plate indexes use text_pattern_ops so a wildcard with a literal prefix is an index range scan.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db);
  await db.schema
    .createTable('checkpoint_passes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('passed_at', 'bigint', (c) => c.notNull())
    .addColumn('plate', 'text', (c) => c.notNull())
    .addColumn('plate_folded', 'text', (c) => c.notNull())
    .addColumn('plate_colour', 'text', (c) => c.notNull())
    .addColumn('plate_confidence', 'real', (c) => c.notNull())
    .addColumn('char_confidences', 'text', (c) => c.notNull())
    .addColumn('vehicle_class', 'text')
    .addColumn('vehicle_colour', 'text')
    .addColumn('lane', 'integer')
    .addColumn('direction', 'text')
    .addColumn('boxes', 'text')
    .addColumn('crop_image_path', 'text')
    .addColumn('scene_image_path', 'text')
    .addColumn('ingested_at', 'bigint', (c) => c.notNull())
    .execute();
  if (pg) {
    await sql`create index checkpoint_passes_plate_idx on checkpoint_passes (plate text_pattern_ops, passed_at)`.execute(db);
    await sql`create index checkpoint_passes_folded_idx on checkpoint_passes (plate_folded text_pattern_ops, passed_at)`.execute(db);
    await sql`create index checkpoint_passes_time_brin on checkpoint_passes using brin (passed_at)`.execute(db);
  } else {
    await db.schema.createIndex('checkpoint_passes_plate_idx').on('checkpoint_passes').columns(['plate', 'passed_at']).execute();
    await db.schema.createIndex('checkpoint_passes_folded_idx').on('checkpoint_passes').columns(['plate_folded', 'passed_at']).execute();
    await db.schema.createIndex('checkpoint_passes_time_idx').on('checkpoint_passes').column('passed_at').execute();
  }
  await db.schema.createIndex('checkpoint_passes_camera_idx').on('checkpoint_passes').columns(['camera_id', 'passed_at']).execute();

  await db.schema
    .createTable('checkpoint_watchlist')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('plate_pattern', 'text', (c) => c.notNull())
    .addColumn('match_kind', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('owner_user_id', 'text', (c) => c.notNull())
    .addColumn('owner_department_id', 'text', (c) => c.notNull())
    .addColumn('valid_from', 'bigint', (c) => c.notNull())
    .addColumn('valid_until', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('removed_at', 'bigint')
    .addColumn('removed_by', 'text')
    .execute();
  await db.schema.createIndex('checkpoint_watchlist_active_idx').on('checkpoint_watchlist').columns(['removed_at', 'valid_until']).execute();

  await db.schema
    .createTable('checkpoint_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('watchlist_id', 'text', (c) => c.notNull())
    .addColumn('pass_id', 'text', (c) => c.notNull())
    .addColumn('plate', 'text', (c) => c.notNull())
    .addColumn('camera_id', 'text', (c) => c.notNull())
    .addColumn('passed_at', 'bigint', (c) => c.notNull())
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'text')
    .addColumn('ack_note', 'text')
    .addUniqueConstraint('checkpoint_alerts_once', ['watchlist_id', 'pass_id'])
    .execute();
  await db.schema.createIndex('checkpoint_alerts_raised_idx').on('checkpoint_alerts').column('raised_at').execute();

  await db.schema
    .createTable('checkpoint_findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('plate', 'text', (c) => c.notNull())
    .addColumn('pass_a_id', 'text', (c) => c.notNull())
    .addColumn('pass_b_id', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('distance_km', 'double precision')
    .addColumn('speed_kmh', 'double precision')
    .addColumn('detected_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('checkpoint_findings_once', ['kind', 'pass_a_id', 'pass_b_id'])
    .execute();
  await db.schema.createIndex('checkpoint_findings_plate_idx').on('checkpoint_findings').columns(['plate', 'detected_at']).execute();
  await db.schema.createIndex('checkpoint_findings_detected_idx').on('checkpoint_findings').column('detected_at').execute();

  await db.schema
    .createTable('checkpoint_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subscriber', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('receiver_url', 'text', (c) => c.notNull())
    .addColumn('camera_ids', 'text')
    .addColumn('begin_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('cancelled_at', 'bigint')
    .execute();

  await db.schema
    .createTable('checkpoint_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_url', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'bigint')
    .addColumn('failed_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('checkpoint_deliveries_due_idx').on('checkpoint_deliveries').columns(['delivered_at', 'failed_at', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['checkpoint_deliveries', 'checkpoint_subscriptions', 'checkpoint_findings', 'checkpoint_alerts', 'checkpoint_watchlist', 'checkpoint_passes']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
