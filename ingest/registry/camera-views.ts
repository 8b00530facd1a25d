import { Type, type Static } from '@sinclair/typebox';
import { CAMERA_SCOPES, decideCameraAccess } from '../../api/access/camera-access.ts';
import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CameraRow } from './camera-repository.ts';

/** What users see of a camera: no stream URLs, no credentials, plus what they may do with it. */
export const CameraView = Type.Object({
  id: Type.String(), name: Type.String(), departmentId: Type.String(), departmentName: Type.String(),
  category: Type.String(), lat: Type.Union([Type.Number(), Type.Null()]), lon: Type.Union([Type.Number(), Type.Null()]),
  address: Type.Union([Type.String(), Type.Null()]), status: Type.String(), lastSeenAt: Type.Union([Type.Integer(), Type.Null()]),
  statusChangedAt: Type.Union([Type.Integer(), Type.Null()]), nationalId: Type.Union([Type.String(), Type.Null()]),
  ptz: Type.Boolean(), analyticsEnabled: Type.Boolean(), source: Type.String(), hasCredentials: Type.Boolean(),
  access: Type.Object({ live: Type.Boolean(), snapshot: Type.Boolean(), ptz: Type.Boolean(), events: Type.Boolean(), playback: Type.Boolean() }),
});
export type CameraViewData = Static<typeof CameraView>;

/** Camera rows as the caller may see them, with the caller's access per scope (one grant query for the whole list). */
export async function cameraViews(ctx: HubContext, user: AuthUser, rows: CameraRow[]): Promise<CameraViewData[]> {
  if (rows.length === 0) return [];
  const departments = new Map((await ctx.db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.id, d.name]));
  const grants = await ctx.grants.active({ grantee: user.departmentId, at: Date.now() });
  return rows.map((row) => {
    const own = grants.filter((g) => g.owner_department_id === row.department_id);
    const access = Object.fromEntries(CAMERA_SCOPES.map((scope) => [scope, decideCameraAccess(user, row, scope, own).allowed])) as CameraViewData['access'];
    return {
      id: row.id, name: row.name, departmentId: row.department_id, departmentName: departments.get(row.department_id) ?? '',
      category: row.category, lat: row.lat, lon: row.lon, address: row.address, status: row.status, lastSeenAt: row.last_seen_at,
      statusChangedAt: row.status_changed_at, nationalId: row.national_id,
      ptz: row.ptz === 1, analyticsEnabled: row.analytics_enabled === 1, source: row.source, hasCredentials: ctx.cameras.hasCredentials(row), access,
    };
  });
}
