import { Type } from '@sinclair/typebox';
import type { HubRoutes } from '../kernel/hub-feature.ts';
import { requireUser } from '../kernel/http/route-access.ts';
import { IdParams, responses } from '../kernel/http/common-schemas.ts';
import { notFound } from '../kernel/errors/hub-error.ts';
import type { HubContext } from '../hub/hub-context.ts';
import { grantCoversCamera } from './camera-access.ts';

const CameraGrantView = Type.Object({
  grantId: Type.String(), granteeDepartmentId: Type.String(), granteeDepartmentName: Type.String(),
  targetKind: Type.String(), scopes: Type.Array(Type.String()), startsAt: Type.Integer(), endsAt: Type.Integer(), emergency: Type.Boolean(),
});

const CameraAccessView = Type.Object({
  ownerDepartmentId: Type.String(), ownerDepartmentName: Type.String(),
  /** False when the caller sees only their own department's grants (not the owner, not an admin). */
  complete: Type.Boolean(),
  grants: Type.Array(CameraGrantView),
});

/**
 * GET /cameras/:id/access: who may use a camera besides its owner, i.e. the active grants that cover it (by
 * camera list, category or area). The owner department and admins see every grant; anyone else sees only the
 * grants their own department holds, so one department does not learn another's access.
 */
export function registerCameraGrantRoutes(app: HubRoutes, ctx: HubContext): void {
  app.get('/cameras/:id/access', {
    config: { access: 'user' },
    schema: { tags: ['access'], summary: 'Active grants that cover this camera (all of them for its owner and admins, your own otherwise)', params: IdParams, response: responses({ 200: CameraAccessView }) },
  }, async (request) => {
    const user = requireUser(request);
    const camera = await ctx.cameras.facts(request.params.id);
    if (!camera) throw notFound('CAMERA_NOT_FOUND', `camera ${request.params.id} does not exist`);
    const complete = user.role === 'admin' || camera.department_id === user.departmentId;
    const active = await ctx.grants.active({ owner: camera.department_id, grantee: complete ? undefined : user.departmentId, at: Date.now() });
    const departments = new Map((await ctx.db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.id, d.name]));
    return {
      ownerDepartmentId: camera.department_id, ownerDepartmentName: departments.get(camera.department_id) ?? '', complete,
      grants: active.filter((grant) => grantCoversCamera(grant, camera)).sort((a, b) => Number(a.ends_at) - Number(b.ends_at)).map((grant) => ({
        grantId: grant.id, granteeDepartmentId: grant.grantee_department_id, granteeDepartmentName: departments.get(grant.grantee_department_id) ?? '',
        targetKind: grant.target_kind, scopes: JSON.parse(grant.scopes) as string[], startsAt: Number(grant.starts_at), endsAt: Number(grant.ends_at), emergency: grant.emergency === 1,
      })),
    };
  });
}
