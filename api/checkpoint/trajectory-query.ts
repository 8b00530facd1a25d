import type { Kysely } from 'kysely';
import type { CameraRepository } from '../../ingest/registry/camera-repository.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { CameraFilter } from './pass-visibility.ts';
import { plateIn } from './plate-condition.ts';

/**
 * Passes of one plate in time order with their camera's name and location (a plate index serves it: see
 * plateIn); the camera columns come from the repository's subquery, joined in the same SQL query.
 */
export async function loadTrajectory(db: Kysely<Database>, places: Pick<CameraRepository, 'places'>, cameras: CameraFilter, plate: string, limit: number, from?: number, to?: number) {
  if (!cameras.all && cameras.cameraIds.length === 0) return [];
  let q = db.selectFrom('checkpoint_passes as p')
    .leftJoin(places.places().as('c'), 'c.id', 'p.camera_id')
    .select(['p.id', 'p.camera_id', 'p.passed_at', 'p.plate_colour', 'p.lane', 'p.direction', 'c.name as camera_name', 'c.lat', 'c.lon'])
    .where(plateIn(db, [plate], 'p'));
  if (!cameras.all) q = q.where('p.camera_id', 'in', cameras.cameraIds);
  if (from !== undefined) q = q.where('p.passed_at', '>=', from);
  if (to !== undefined) q = q.where('p.passed_at', '<', to);
  return q.orderBy('p.passed_at', 'asc').orderBy('p.id', 'asc').limit(limit).execute();
}
