import type { Kysely } from 'kysely';
import type { CameraRepository } from '../../ingest/registry/camera-repository.ts';
import type { GrantRepository } from '../access/grant-repository.ts';
import { grantCoversCamera } from '../access/camera-access.ts';
import type { Database } from '../kernel/db/tables/index.ts';

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : Math.min(1, part / whole));

export interface DepartmentCount {
  departmentId: string;
  departmentName: string;
  count: number;
}

export interface SharingFigures {
  at: number;
  /** Cameras of government departments (is_government=1); shared = covered by ≥1 active grant to another department. */
  governmentCameras: { total: number; shared: number; share: number };
  /**
   * Community cameras: category 'community' or owned by a department of kind 'community'. Integrated =
   * registered in the hub and online now; the denominator is dashboard.communityCamerasPlanned when set,
   * else the registered ones.
   */
  communityCameras: { registered: number; integrated: number; planned: number; share: number };
  cameras: { total: number; online: number; share: number };
  activeGrants: { total: number; byGrantee: DepartmentCount[]; byOwner: DepartmentCount[] };
  pendingRequests: { count: number; oldestAgeMs: number | null; byOwner: Array<DepartmentCount & { oldestAgeMs: number }> };
  /** play.start events (result ok) since `since`, by the viewer's department. */
  views: { since: number; total: number; byDepartment: DepartmentCount[] };
}

/** The sharing figures city plans set targets for, computed live from the database. */
export async function computeSharingFigures(
  { db, cameras: cameraRepository, grants: grantRepository }: { db: Kysely<Database>; cameras: CameraRepository; grants: GrantRepository },
  options: { now?: number; viewsSince?: number; communityCamerasPlanned?: number } = {},
): Promise<SharingFigures> {
  const now = options.now ?? Date.now();
  const viewsSince = options.viewsSince ?? now - 30 * 86_400_000;
  const departments = await db.selectFrom('departments').select(['id', 'name', 'kind', 'is_government']).execute();
  const deptById = new Map(departments.map((d) => [d.id, d]));
  const named = (counts: Map<string, number>): DepartmentCount[] => [...counts]
    .map(([departmentId, count]) => ({ departmentId, departmentName: deptById.get(departmentId)?.name ?? departmentId, count }))
    .sort((a, b) => b.count - a.count || a.departmentName.localeCompare(b.departmentName));
  const bump = (counts: Map<string, number>, key: string, by = 1) => counts.set(key, (counts.get(key) ?? 0) + by);

  const cameras = await cameraRepository.summaries();
  const grants = await grantRepository.active({ at: now });

  const government = cameras.filter((c) => deptById.get(c.department_id)?.is_government === 1);
  const shared = government.filter((c) => grants.some((g) => g.owner_department_id === c.department_id && g.grantee_department_id !== c.department_id && grantCoversCamera(g, c)));
  const community = cameras.filter((c) => c.category === 'community' || deptById.get(c.department_id)?.kind === 'community');
  const communityOnline = community.filter((c) => c.status === 'online').length;
  const planned = options.communityCamerasPlanned || community.length;
  const online = cameras.filter((c) => c.status === 'online').length;

  const byGrantee = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const grant of grants) {
    bump(byGrantee, grant.grantee_department_id);
    bump(byOwner, grant.owner_department_id);
  }

  const pending = await db.selectFrom('access_requests').select(['owner_department_id', 'created_at']).where('status', '=', 'pending').execute();
  const pendingByOwner = new Map<string, number>();
  const oldestByOwner = new Map<string, number>();
  for (const request of pending) {
    bump(pendingByOwner, request.owner_department_id);
    oldestByOwner.set(request.owner_department_id, Math.max(oldestByOwner.get(request.owner_department_id) ?? 0, now - Number(request.created_at)));
  }

  const viewRows = await db.selectFrom('audit_events')
    .select((eb) => ['department_id', eb.fn.countAll().as('views')])
    .where('action', '=', 'play.start').where('result', '=', 'ok').where('at', '>=', viewsSince).where('at', '<=', now)
    .groupBy('department_id').execute();
  const views = new Map<string, number>();
  for (const row of viewRows) bump(views, row.department_id ?? 'unknown', Number(row.views));

  return {
    at: now,
    governmentCameras: { total: government.length, shared: shared.length, share: ratio(shared.length, government.length) },
    communityCameras: { registered: community.length, integrated: communityOnline, planned, share: ratio(communityOnline, planned) },
    cameras: { total: cameras.length, online, share: ratio(online, cameras.length) },
    activeGrants: { total: grants.length, byGrantee: named(byGrantee), byOwner: named(byOwner) },
    pendingRequests: {
      count: pending.length,
      oldestAgeMs: pending.length === 0 ? null : Math.max(...oldestByOwner.values()),
      byOwner: named(pendingByOwner).map((d) => ({ ...d, oldestAgeMs: oldestByOwner.get(d.departmentId) ?? 0 })),
    },
    views: { since: viewsSince, total: [...views.values()].reduce((a, b) => a + b, 0), byDepartment: named(views) },
  };
}
