import type { Kysely } from 'kysely';
import { CAMERA_SCOPES, grantCoversCamera, type AreaBox } from './camera-access.ts';
import { badRequest } from '../kernel/errors/hub-error.ts';
import type { AccessTargetColumns, CameraCategory, CameraScope, Database } from '../kernel/db/tables/index.ts';
import type { CameraRepository } from '../../ingest/registry/camera-repository.ts';

export type TargetKind = AccessTargetColumns['target_kind'];

/** What a request or grant covers, as the API speaks it. */
export interface AccessTarget {
  ownerDepartmentId: string;
  targetKind: TargetKind;
  cameraIds?: string[];
  category?: CameraCategory | string;
  area?: AreaBox;
  scopes: string[];
}

export type TargetColumns = AccessTargetColumns;

/** The stored form (JSON text columns), as requests and grants share it. */
export function targetColumns(target: AccessTarget): TargetColumns {
  return {
    owner_department_id: target.ownerDepartmentId,
    target_kind: target.targetKind,
    camera_ids: target.targetKind === 'cameras' ? JSON.stringify([...target.cameraIds!].sort()) : null,
    category: target.targetKind === 'category' ? (target.category as CameraCategory) : null,
    area: target.targetKind === 'area' ? JSON.stringify(target.area) : null,
    scopes: JSON.stringify(CAMERA_SCOPES.filter((s) => target.scopes.includes(s))),
  };
}

export function targetView(row: TargetColumns) {
  return {
    ownerDepartmentId: row.owner_department_id,
    targetKind: row.target_kind,
    cameraIds: row.camera_ids ? (JSON.parse(row.camera_ids) as string[]) : null,
    category: row.category,
    area: row.area ? (JSON.parse(row.area) as AreaBox) : null,
    scopes: JSON.parse(row.scopes) as string[],
  };
}

/**
 * Checks a target against the database: the owner department exists and is not the asker's, the shape
 * matches its kind, and every named camera belongs to the owner. Throws HubError 400.
 */
export async function validateTarget(
  { db, cameras }: { db: Kysely<Database>; cameras: CameraRepository },
  target: AccessTarget,
  askerDepartmentId: string,
): Promise<void> {
  if (target.ownerDepartmentId === askerDepartmentId) {
    throw badRequest('ACCESS_OWN_DEPARTMENT', 'your department owns these cameras already; access requests go to another department');
  }
  const owner = await db.selectFrom('departments').select('id').where('id', '=', target.ownerDepartmentId).executeTakeFirst();
  if (!owner) throw badRequest('DEPARTMENT_UNKNOWN', `department ${target.ownerDepartmentId} does not exist`);
  const unknownScopes = target.scopes.filter((s) => !CAMERA_SCOPES.includes(s as CameraScope));
  if (unknownScopes.length > 0) throw badRequest('SCOPE_UNKNOWN', `unknown scopes ${unknownScopes.join(', ')}; use ${CAMERA_SCOPES.join(', ')}`);
  const present = (['cameraIds', 'category', 'area'] as const).filter((key) => target[key] !== undefined);
  const expected = { cameras: 'cameraIds', category: 'category', area: 'area' }[target.targetKind];
  if (present.length !== 1 || present[0] !== expected) {
    throw badRequest('TARGET_INVALID', `targetKind "${target.targetKind}" needs exactly the field "${expected}"`);
  }
  if (target.targetKind === 'area') {
    const box = target.area!;
    if (box.minLat > box.maxLat || box.minLon > box.maxLon) throw badRequest('TARGET_INVALID', 'area needs minLat ≤ maxLat and minLon ≤ maxLon');
  }
  if (target.targetKind === 'cameras') await assertCamerasOwnedBy(cameras, target.cameraIds!, target.ownerDepartmentId);
}

async function assertCamerasOwnedBy(cameras: CameraRepository, cameraIds: string[], ownerDepartmentId: string): Promise<void> {
  const rows = await cameras.factsOf({ ids: cameraIds });
  const owned = new Set(rows.filter((r) => r.department_id === ownerDepartmentId).map((r) => r.id));
  const foreign = cameraIds.filter((id) => !owned.has(id));
  if (foreign.length > 0) {
    throw badRequest('CAMERA_NOT_OWNED', `cameras ${foreign.slice(0, 10).join(', ')} do not exist or do not belong to department ${ownerDepartmentId}`);
  }
}

export function assertWindow(startsAt: number, endsAt: number, now: number, maxMs: number, maxText: string): void {
  if (endsAt <= startsAt) throw badRequest('WINDOW_INVALID', 'endsAt must be after startsAt');
  if (endsAt <= now) throw badRequest('WINDOW_INVALID', 'the requested window has already ended');
  if (endsAt - startsAt > maxMs) throw badRequest('WINDOW_TOO_LONG', `the window may last at most ${maxText}`);
}

export interface Narrowing {
  cameraIds?: string[];
  scopes?: string[];
  startsAt?: number;
  endsAt?: number;
}

/**
 * The grant an approval creates: the request's target, narrowed by the approver. Anything wider than the
 * request (another camera, scope, or a longer window) is refused with APPROVAL_WIDENS.
 */
export async function narrowTarget(cameras: CameraRepository, request: TargetColumns & { starts_at: number; ends_at: number }, narrowing: Narrowing) {
  const requestedScopes = JSON.parse(request.scopes) as string[];
  const extraScopes = (narrowing.scopes ?? []).filter((s) => !requestedScopes.includes(s));
  if (extraScopes.length > 0) throw badRequest('APPROVAL_WIDENS', `scopes ${extraScopes.join(', ')} were not requested; an approval may only narrow`);
  const startsAt = narrowing.startsAt ?? request.starts_at;
  const endsAt = narrowing.endsAt ?? request.ends_at;
  if (startsAt < request.starts_at || endsAt > request.ends_at) {
    throw badRequest('APPROVAL_WIDENS', 'the approved window must lie inside the requested one');
  }
  if (endsAt <= startsAt) throw badRequest('WINDOW_INVALID', 'endsAt must be after startsAt');
  let columns: TargetColumns = {
    owner_department_id: request.owner_department_id, target_kind: request.target_kind, camera_ids: request.camera_ids,
    category: request.category, area: request.area,
    scopes: narrowing.scopes ? JSON.stringify(CAMERA_SCOPES.filter((s) => narrowing.scopes!.includes(s))) : request.scopes,
  };
  if (narrowing.cameraIds) {
    const facts = await cameras.factsOf({ ids: narrowing.cameraIds });
    const covered = new Set(facts.filter((c) => c.department_id === request.owner_department_id && grantCoversCamera(request, c)).map((c) => c.id));
    const outside = narrowing.cameraIds.filter((id) => !covered.has(id));
    if (outside.length > 0) throw badRequest('APPROVAL_WIDENS', `cameras ${outside.slice(0, 10).join(', ')} are not part of the request; an approval may only narrow`);
    columns = { ...columns, target_kind: 'cameras', camera_ids: JSON.stringify([...narrowing.cameraIds].sort()), category: null, area: null };
  }
  return { columns, startsAt, endsAt };
}
