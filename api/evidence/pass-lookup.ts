import type { Kysely } from 'kysely';
import type { Database } from '../kernel/db/tables/index.ts';

export interface PassForExport {
  id: string;
  cameraId: string;
  passedAt: number;
  plate: string;
  /** Relative to <dataDir>/images. */
  sceneImagePath: string | null;
}

/** The pass an export or a "play from here" starts from (read-only look-up in the checkpoint store's table). */
export async function passForExport(db: Kysely<Database>, passId: string): Promise<PassForExport | undefined> {
  const row = await db.selectFrom('checkpoint_passes').select(['id', 'camera_id', 'passed_at', 'plate', 'scene_image_path']).where('id', '=', passId).executeTakeFirst();
  return row ? { id: row.id, cameraId: row.camera_id, passedAt: Number(row.passed_at), plate: row.plate, sceneImagePath: row.scene_image_path } : undefined;
}
