import type { Kysely } from 'kysely';

/**
 * Saved video-wall layouts, one set per user: a name, a tile count (1/4/9/16) and the cameras in tile
 * order (a JSON array of ids). Names are unique per user, so saving under an existing name replaces it.
 * Camera ids are not foreign keys: a removed camera leaves a tile that says so instead of losing the layout.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('wall_layouts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('camera_ids', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('wall_layouts_user_name_unique').on('wall_layouts').columns(['user_id', 'name']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('wall_layouts').execute();
}
