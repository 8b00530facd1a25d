import type { Kysely, Selectable } from 'kysely';
import { forbidden, notFound } from '../errors/hub-error.ts';
import type { CamerasTable, CameraScope, Database, GrantsTable } from '../db/tables/index.ts';
import type { AuthUser } from './token-service.ts';

export const CAMERA_SCOPES: readonly CameraScope[] = ['live', 'snapshot', 'ptz', 'events'];

/** Roles that may use cameras at all; auditors read the trail but watch nothing. */
const CAMERA_USER_ROLES = new Set(['admin', 'approver', 'viewer']);

export type CameraAccessReason = 'owner' | 'admin' | 'grant' | 'role' | 'no-grant' | 'no-camera';

export interface CameraAccessDecision {
  allowed: boolean;
  reason: CameraAccessReason;
  /** The grant that allows it, when reason = grant: sessions built on it end when it is revoked. */
  grantId?: string;
  /** When the access ends on its own (grant end), if it does. */
  expiresAt?: number;
}

export interface AreaBox {
  minLat: number;
  minLon: number;
  maxLat: number;
  maxLon: number;
}

type CameraFacts = Pick<Selectable<CamerasTable>, 'id' | 'department_id' | 'category' | 'lat' | 'lon'>;

/** Does this grant cover this camera (by id list, category, or area), whatever its time or scopes? */
export function grantCoversCamera(grant: Pick<GrantsTable, 'target_kind' | 'camera_ids' | 'category' | 'area'>, camera: CameraFacts): boolean {
  switch (grant.target_kind) {
    case 'cameras':
      return (JSON.parse(grant.camera_ids ?? '[]') as string[]).includes(camera.id);
    case 'category':
      return grant.category === camera.category;
    case 'area': {
      if (camera.lat === null || camera.lon === null || !grant.area) return false;
      const box = JSON.parse(grant.area) as AreaBox;
      return camera.lat >= box.minLat && camera.lat <= box.maxLat && camera.lon >= box.minLon && camera.lon <= box.maxLon;
    }
    default:
      return false;
  }
}

/** Active grants from one owner department to another at `now` (not yet started, ended or revoked excluded). */
export function activeGrants(db: Kysely<Database>, granteeDepartmentId: string, ownerDepartmentId: string, now: number) {
  return db
    .selectFrom('grants')
    .selectAll()
    .where('grantee_department_id', '=', granteeDepartmentId)
    .where('owner_department_id', '=', ownerDepartmentId)
    .where('starts_at', '<=', now)
    .where('ends_at', '>', now)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Pure decision over facts already loaded; the one rule every camera access follows. */
export function decideCameraAccess(
  user: Pick<AuthUser, 'role' | 'departmentId'>,
  camera: CameraFacts,
  scope: CameraScope,
  grants: Array<Selectable<GrantsTable>>,
): CameraAccessDecision {
  if (!CAMERA_USER_ROLES.has(user.role)) return { allowed: false, reason: 'role' };
  if (user.role === 'admin') return { allowed: true, reason: 'admin' };
  if (camera.department_id === user.departmentId) return { allowed: true, reason: 'owner' };
  const matching = grants
    .filter((grant) => (JSON.parse(grant.scopes) as string[]).includes(scope) && grantCoversCamera(grant, camera))
    .sort((a, b) => b.ends_at - a.ends_at);
  const best = matching[0];
  if (!best) return { allowed: false, reason: 'no-grant' };
  return { allowed: true, reason: 'grant', grantId: best.id, expiresAt: best.ends_at };
}

/**
 * The single authorization point for camera access: ownership, role, and active grants (time-bounded,
 * scoped, revocable). Every route that touches a camera, its stream, snapshot, PTZ or events calls this.
 */
export async function authorizeCamera(
  db: Kysely<Database>,
  user: AuthUser,
  cameraId: string,
  scope: CameraScope,
  now = Date.now(),
): Promise<CameraAccessDecision> {
  const camera = await db.selectFrom('cameras').select(['id', 'department_id', 'category', 'lat', 'lon']).where('id', '=', cameraId).executeTakeFirst();
  if (!camera) return { allowed: false, reason: 'no-camera' };
  const grants = camera.department_id === user.departmentId || user.role === 'admin' ? [] : await activeGrants(db, user.departmentId, camera.department_id, now);
  return decideCameraAccess(user, camera, scope, grants);
}

/** authorizeCamera that throws: 404 for an unknown camera, 403 CAMERA_ACCESS_DENIED otherwise. */
export async function assertCameraAccess(db: Kysely<Database>, user: AuthUser, cameraId: string, scope: CameraScope, now = Date.now()): Promise<CameraAccessDecision> {
  const decision = await authorizeCamera(db, user, cameraId, scope, now);
  if (decision.reason === 'no-camera') throw notFound('CAMERA_NOT_FOUND', `camera ${cameraId} does not exist`);
  if (!decision.allowed) {
    throw forbidden('CAMERA_ACCESS_DENIED', `your department has no active grant with scope "${scope}" for this camera; request access from its owner`);
  }
  return decision;
}
