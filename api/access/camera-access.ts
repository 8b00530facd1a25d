import type { CameraFacts, CameraRepository } from '../../ingest/registry/camera-repository.ts';
import type { Grant, GrantRepository } from './grant-repository.ts';
import { HubError, notFound } from '../kernel/errors/hub-error.ts';
import type { CameraScope, GrantsTable, Role } from '../kernel/db/tables/index.ts';
import type { AuthUser } from '../kernel/auth/token-service.ts';

export const CAMERA_SCOPES: readonly CameraScope[] = ['live', 'snapshot', 'ptz', 'events', 'playback'];

const DAY_MS = 86_400_000;

/** Roles that may use cameras at all; auditors read the trail but watch nothing. */
const CAMERA_USER_ROLES = new Set<Role>(['admin', 'approver', 'viewer']);

/** May this role use cameras at all (its own department's, at least)? */
export function mayUseCameras(role: Role): boolean {
  return CAMERA_USER_ROLES.has(role);
}

export type CameraAccessReason = 'owner' | 'admin' | 'grant' | 'role' | 'no-grant' | 'no-camera';

export interface CameraAccessDecision {
  allowed: boolean;
  reason: CameraAccessReason;
  /** The grant that allows it, when reason = grant: sessions built on it end when it is revoked. */
  grantId?: string;
  /** When the access ends on its own (grant end), if it does. */
  expiresAt?: number;
  /** Scope playback through a grant: the recorded time the grantee may see, [playbackFrom, playbackTo). Absent = no limit. */
  playbackFrom?: number;
  playbackTo?: number;
}

/**
 * The recorded time a grant's playback scope reaches at `now`: the grant's own window, the last N days, or
 * everything (an empty object).
 */
export function playbackReach(grant: Pick<GrantsTable, 'playback_lookback' | 'playback_days' | 'starts_at' | 'ends_at'>, now: number): { playbackFrom?: number; playbackTo?: number } {
  if (grant.playback_lookback === 'window') return { playbackFrom: Number(grant.starts_at), playbackTo: Number(grant.ends_at) };
  if (grant.playback_lookback === 'days' && grant.playback_days !== null) return { playbackFrom: now - Number(grant.playback_days) * DAY_MS };
  return {};
}

/** How wide a reach is (for picking the widest of several grants): its length in ms, unlimited = Infinity. */
function reachWidth(reach: { playbackFrom?: number; playbackTo?: number }, now: number): number {
  if (reach.playbackFrom === undefined) return Infinity;
  return (reach.playbackTo ?? now) - reach.playbackFrom;
}

export interface AreaBox {
  minLat: number;
  minLon: number;
  maxLat: number;
  maxLon: number;
}

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

/** Where a decision reads its facts (HubContext carries both). */
export interface CameraAccessSources {
  cameras: Pick<CameraRepository, 'facts'>;
  grants: Pick<GrantRepository, 'active'>;
}

/** Pure decision over facts already loaded; the one rule every camera access follows. */
export function decideCameraAccess(
  user: Pick<AuthUser, 'role' | 'departmentId'>,
  camera: CameraFacts,
  scope: CameraScope,
  grants: Grant[],
  now = Date.now(),
): CameraAccessDecision {
  if (!mayUseCameras(user.role)) return { allowed: false, reason: 'role' };
  if (user.role === 'admin') return { allowed: true, reason: 'admin' };
  if (camera.department_id === user.departmentId) return { allowed: true, reason: 'owner' };
  const matching = grants
    .filter((grant) => (JSON.parse(grant.scopes) as string[]).includes(scope) && grantCoversCamera(grant, camera))
    .sort((a, b) => b.ends_at - a.ends_at);
  if (scope === 'playback') matching.sort((a, b) => reachWidth(playbackReach(b, now), now) - reachWidth(playbackReach(a, now), now));
  const best = matching[0];
  if (!best) return { allowed: false, reason: 'no-grant' };
  const reach = scope === 'playback' ? playbackReach(best, now) : {};
  return { allowed: true, reason: 'grant', grantId: best.id, expiresAt: best.ends_at, ...reach };
}

/**
 * The single authorization point for camera access: ownership, role, and active grants (time-bounded,
 * scoped, revocable). Every route that touches a camera, its stream, snapshot, PTZ or events calls this.
 */
export async function authorizeCamera(
  sources: CameraAccessSources,
  user: AuthUser,
  cameraId: string,
  scope: CameraScope,
  now = Date.now(),
): Promise<CameraAccessDecision> {
  const camera = await sources.cameras.facts(cameraId);
  if (!camera) return { allowed: false, reason: 'no-camera' };
  const grants = camera.department_id === user.departmentId || user.role === 'admin' ? [] : await sources.grants.active({ grantee: user.departmentId, owner: camera.department_id, at: now });
  return decideCameraAccess(user, camera, scope, grants, now);
}

/**
 * May a department as a whole use this camera with this scope (own camera, or an active grant to it)?
 * For work done on a department's behalf with no user present, e.g. raising its watchlist alerts.
 */
export async function authorizeDepartment(
  sources: CameraAccessSources,
  departmentId: string,
  cameraId: string,
  scope: CameraScope,
  now = Date.now(),
): Promise<CameraAccessDecision> {
  return authorizeCamera(sources, { id: '', username: '', departmentId, role: 'viewer', dutyOfficer: false }, cameraId, scope, now);
}

/** authorizeCamera that throws: 404 for an unknown camera, 403 CAMERA_ACCESS_DENIED otherwise. */
export async function assertCameraAccess(sources: CameraAccessSources, user: AuthUser, cameraId: string, scope: CameraScope, now = Date.now()): Promise<CameraAccessDecision> {
  const decision = await authorizeCamera(sources, user, cameraId, scope, now);
  if (decision.reason === 'no-camera') throw notFound('CAMERA_NOT_FOUND', `camera ${cameraId} does not exist`);
  if (!decision.allowed) {
    // The details feed the denial audit (api/audit/camera-denial-audit.ts); the API answers code and message only.
    throw new HubError('CAMERA_ACCESS_DENIED', `your department has no active grant with scope "${scope}" for this camera; request access from its owner`, 403, {
      details: { cameraId, scope, decision: decision.reason },
    });
  }
  return decision;
}
