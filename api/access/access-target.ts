import type { Kysely } from 'kysely';
import { CAMERA_SCOPES, grantCoversCamera, type AreaBox } from './camera-access.ts';
import { badRequest } from '../kernel/errors/hub-error.ts';
import type { AccessTargetColumns, CameraCategory, CameraScope, Database, PlaybackLookback } from '../kernel/db/tables/index.ts';
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
  /** With scope playback: how far back the grantee may look (default none = no limit beyond the recordings). */
  playbackLookback?: PlaybackLookback;
  playbackDays?: number;
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
    ...playbackColumns(target.scopes, target.playbackLookback, target.playbackDays),
  };
}

/** The playback limit columns: null unless the playback scope is there. */
function playbackColumns(scopes: string[], lookback: PlaybackLookback | undefined, days: number | undefined): Pick<TargetColumns, 'playback_lookback' | 'playback_days'> {
  if (!scopes.includes('playback')) return { playback_lookback: null, playback_days: null };
  const kind = lookback ?? 'none';
  return { playback_lookback: kind, playback_days: kind === 'days' ? days ?? null : null };
}

/** Refuses a lookback without the playback scope, and 'days' without a day count. */
export function assertPlaybackLimit(scopes: string[], lookback: PlaybackLookback | undefined, days: number | undefined): void {
  if ((lookback !== undefined || days !== undefined) && !scopes.includes('playback')) {
    throw badRequest('PLAYBACK_SCOPE_REQUIRED', 'playbackLookback and playbackDays go with the scope "playback"');
  }
  if (lookback === 'days' && (days === undefined || !Number.isInteger(days) || days < 1)) throw badRequest('PLAYBACK_DAYS_REQUIRED', 'playbackLookback "days" needs playbackDays (1–366)');
  if (lookback !== 'days' && days !== undefined) throw badRequest('PLAYBACK_DAYS_UNEXPECTED', 'playbackDays goes with playbackLookback "days"');
}

export function targetView(row: TargetColumns) {
  return {
    ownerDepartmentId: row.owner_department_id,
    targetKind: row.target_kind,
    cameraIds: row.camera_ids ? (JSON.parse(row.camera_ids) as string[]) : null,
    category: row.category,
    area: row.area ? (JSON.parse(row.area) as AreaBox) : null,
    scopes: JSON.parse(row.scopes) as string[],
    playbackLookback: row.playback_lookback,
    playbackDays: row.playback_days === null ? null : Number(row.playback_days),
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
  assertPlaybackLimit(target.scopes, target.playbackLookback, target.playbackDays);
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
  playbackLookback?: PlaybackLookback;
  playbackDays?: number;
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
  const scopes = narrowing.scopes ? CAMERA_SCOPES.filter((s) => narrowing.scopes!.includes(s)) : requestedScopes;
  let columns: TargetColumns = {
    owner_department_id: request.owner_department_id, target_kind: request.target_kind, camera_ids: request.camera_ids,
    category: request.category, area: request.area, scopes: JSON.stringify(scopes),
    ...narrowPlayback(request, scopes, narrowing),
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

/** Lookback width for comparison: window is narrower than any day count, none is the widest. */
function lookbackRank(kind: PlaybackLookback | null, days: number | null): number {
  if (kind === 'window') return 0;
  if (kind === 'days') return Number(days ?? 0);
  return Infinity;
}

/** The approved playback limit: the request's, or a narrower one the approver sets (never wider). */
function narrowPlayback(request: TargetColumns, scopes: string[], narrowing: Narrowing): Pick<TargetColumns, 'playback_lookback' | 'playback_days'> {
  if (!scopes.includes('playback')) return { playback_lookback: null, playback_days: null };
  if (narrowing.playbackLookback === undefined && narrowing.playbackDays === undefined) {
    return { playback_lookback: request.playback_lookback ?? 'none', playback_days: request.playback_days };
  }
  const kind = narrowing.playbackLookback ?? request.playback_lookback ?? 'none';
  assertPlaybackLimit(scopes, kind, narrowing.playbackDays);
  const days = kind === 'days' ? narrowing.playbackDays! : null;
  if (lookbackRank(kind, days) > lookbackRank(request.playback_lookback, request.playback_days)) {
    throw badRequest('APPROVAL_WIDENS', 'the approved playback lookback reaches further back than the requested one');
  }
  return { playback_lookback: kind, playback_days: days };
}
