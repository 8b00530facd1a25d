import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { badRequest, conflict, notFound } from '../../api/kernel/errors/hub-error.ts';
import type { Database } from '../../api/kernel/db/tables/index.ts';
import type { WallLayoutsTable } from '../../api/kernel/db/tables/player.ts';

export const WALL_SIZES = [1, 4, 9, 16] as const;
export type WallSize = (typeof WALL_SIZES)[number];

export interface WallLayout {
  id: string;
  name: string;
  size: WallSize;
  cameraIds: string[];
  createdAt: number;
  updatedAt: number;
}

export interface WallLayoutInput {
  name: string;
  size: number;
  cameraIds: string[];
}

const toLayout = (row: Selectable<WallLayoutsTable>): WallLayout => ({
  id: row.id, name: row.name, size: Number(row.size) as WallSize, cameraIds: JSON.parse(row.camera_ids) as string[],
  createdAt: Number(row.created_at), updatedAt: Number(row.updated_at),
});

/** The only owner of wall_layouts: each user's saved walls, looked up and changed by that user alone. */
export class WallLayoutRepository {
  constructor(private readonly db: Kysely<Database>, private readonly maxPerUser: number) {}

  async list(userId: string): Promise<WallLayout[]> {
    const rows = await this.db.selectFrom('wall_layouts').selectAll().where('user_id', '=', userId).orderBy('name').execute();
    return rows.map(toLayout);
  }

  /** Saves under the name: a new layout, or the user's layout of that name replaced. */
  async save(userId: string, input: WallLayoutInput, now = Date.now()): Promise<{ layout: WallLayout; created: boolean }> {
    const name = input.name.trim();
    if (!name) throw badRequest('WALL_LAYOUT_NAME_EMPTY', 'a layout needs a name');
    if (!(WALL_SIZES as readonly number[]).includes(input.size)) throw badRequest('WALL_SIZE_INVALID', `a wall has 1, 4, 9 or 16 tiles, not ${input.size}`);
    if (input.cameraIds.length > input.size) {
      throw badRequest('WALL_TOO_MANY_CAMERAS', `${input.cameraIds.length} cameras do not fit on a wall of ${input.size} tiles`);
    }
    const size = input.size as WallSize;
    const cameraIds = JSON.stringify(input.cameraIds);
    return this.db.transaction().execute(async (trx) => {
      const replace = async () => {
        const existing = await trx.selectFrom('wall_layouts').selectAll().where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
        if (!existing) return undefined;
        await trx.updateTable('wall_layouts').set({ size, camera_ids: cameraIds, updated_at: now }).where('id', '=', existing.id).execute();
        return { layout: toLayout({ ...existing, size, camera_ids: cameraIds, updated_at: now }), created: false };
      };
      const replaced = await replace();
      if (replaced) return replaced;
      const count = await trx.selectFrom('wall_layouts').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
      if (Number(count.n) >= this.maxPerUser) throw conflict('WALL_LAYOUT_LIMIT', `you already have ${this.maxPerUser} saved layouts; delete one first`);
      const row = { id: randomUUID(), user_id: userId, name, size, camera_ids: cameraIds, created_at: now, updated_at: now };
      const inserted = await trx.insertInto('wall_layouts').values(row).onConflict((oc) => oc.columns(['user_id', 'name']).doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { layout: toLayout(row), created: true };
      // The same name was saved by another request at the same moment: this save replaces it.
      return (await replace())!;
    });
  }

  async delete(userId: string, id: string): Promise<void> {
    const result = await this.db.deleteFrom('wall_layouts').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound('WALL_LAYOUT_NOT_FOUND', `you have no saved layout ${id}`);
  }
}
