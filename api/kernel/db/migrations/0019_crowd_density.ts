import type { Kysely } from 'kysely';

/**
 * Crowd density (issue 15): a zone may be calibrated with its real ground area, so that alerts can fire on
 * people per square metre as well as on a count, and may set how long a count must stay low before an open
 * alert ends (hysteresis). An alert records what raised it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('analytics_zones').addColumn('area_square_metres', 'double precision').execute();
  await db.schema.alterTable('analytics_zones').addColumn('density_threshold', 'double precision').execute();
  await db.schema.alterTable('crowd_alerts').addColumn('trigger', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('crowd_alerts').dropColumn('trigger').execute();
  await db.schema.alterTable('analytics_zones').dropColumn('density_threshold').execute();
  await db.schema.alterTable('analytics_zones').dropColumn('area_square_metres').execute();
}
