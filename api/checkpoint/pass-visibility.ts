import type { GrantRepository } from '../access/grant-repository.ts';
import { decideCameraAccess, mayUseCameras } from '../access/camera-access.ts';
import type { AuthUser } from '../kernel/auth/token-service.ts';
import type { CameraRepository } from '../../ingest/registry/camera-repository.ts';

/**
 * Which cameras' passes a user may read: all (admin) or an explicit list (possibly empty). `until`: when the
 * first grant behind the list ends (the list may shrink then); absent when no grant is involved.
 */
export type CameraFilter = { all: true } | { all: false; cameraIds: string[]; until?: number };

/**
 * Cameras whose passes (scope `events`) the user may see, decided camera by camera with the one rule of
 * api/access/camera-access.ts: own department, or an active grant with scope `events` that covers it.
 */
export async function visibleCameras(
  sources: { cameras: Pick<CameraRepository, 'factsOf'>; grants: Pick<GrantRepository, 'active'> },
  user: Pick<AuthUser, 'role' | 'departmentId'>,
  now = Date.now(),
): Promise<CameraFilter> {
  if (user.role === 'admin') return { all: true };
  if (!mayUseCameras(user.role)) return { all: false, cameraIds: [] };
  const grants = await sources.grants.active({ grantee: user.departmentId, at: now });
  const owners = [user.departmentId, ...new Set(grants.map((g) => g.owner_department_id))];
  const cameras = await sources.cameras.factsOf({ departments: owners });
  const cameraIds = cameras
    .filter((camera) => decideCameraAccess(user, camera, 'events', grants.filter((g) => g.owner_department_id === camera.department_id)).allowed)
    .map((camera) => camera.id);
  const until = grants.length ? Math.min(...grants.map((g) => Number(g.ends_at))) : undefined;
  return { all: false, cameraIds, ...(until === undefined ? {} : { until }) };
}

/** Narrows a filter to the cameras a query asks for. */
export function narrowCameras(filter: CameraFilter, wanted: string[] | undefined): CameraFilter {
  if (wanted === undefined) return filter;
  if (filter.all) return { all: false, cameraIds: wanted };
  const allowed = new Set(filter.cameraIds);
  return { all: false, cameraIds: wanted.filter((id) => allowed.has(id)) };
}
