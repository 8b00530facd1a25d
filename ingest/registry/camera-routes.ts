import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import { forbidden } from '../../api/kernel/errors/hub-error.ts';
import { IdParams, OkResponse, responses } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CameraRegistry } from './camera-registry.ts';
import type { CameraRow } from './camera-repository.ts';
import { CameraView, cameraViews } from './camera-views.ts';
import { registerCatalogueRoutes } from './camera-catalogue-routes.ts';

export { CameraView } from './camera-views.ts';

const Category = Type.Union(['public_security', 'traffic', 'community', 'other'].map((c) => Type.Literal(c)));
const Status = Type.Union(['unknown', 'online', 'offline', 'auth_failed'].map((s) => Type.Literal(s)));
const Lat = Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()]);
const Lon = Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()]);

const CameraBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  departmentId: Type.String({ minLength: 1, maxLength: 64 }),
  category: Category,
  lat: Type.Optional(Lat), lon: Type.Optional(Lon),
  address: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  streamUrl: Type.String({ minLength: 1, maxLength: 2048 }),
  subStreamUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
  snapshotUrl: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
  username: Type.Optional(Type.String({ maxLength: 128 })),
  password: Type.Optional(Type.String({ maxLength: 256 })),
  ptz: Type.Optional(Type.Boolean()),
  analyticsEnabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

const CameraPatch = Type.Partial(Type.Omit(CameraBody, ['departmentId']), { additionalProperties: false });

/** Admins manage every department's cameras; approvers manage their own department's. */
function assertMayManage(user: AuthUser, departmentId: string): void {
  if (user.role === 'admin') return;
  if (user.role === 'approver' && user.departmentId === departmentId) return;
  throw forbidden('CAMERA_MANAGE_DENIED', 'only administrators and approvers of the owning department manage its cameras');
}

export function registerCameraRoutes(app: FastifyInstance, ctx: HubContext, registry: CameraRegistry): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const toViews = (user: AuthUser, rows: CameraRow[]) => cameraViews(ctx, user, rows);

  registerCatalogueRoutes(app, ctx);

  r.get('/cameras', {
    config: { access: 'user' },
    schema: {
      tags: ['cameras'], summary: 'The camera catalogue with what the caller may do with each camera',
      querystring: Type.Object({ departmentId: Type.Optional(Type.String({ maxLength: 64 })), category: Type.Optional(Category), status: Type.Optional(Status) }, { additionalProperties: false }),
      response: responses({ 200: Type.Array(CameraView) }),
    },
  }, async (request) => toViews(requireUser(request), await registry.list(request.query)));

  r.get('/cameras/:id', {
    config: { access: 'user' },
    schema: { tags: ['cameras'], summary: 'One camera', params: IdParams, response: responses({ 200: CameraView }) },
  }, async (request) => (await toViews(requireUser(request), [await registry.get(request.params.id)]))[0]);

  r.post('/cameras', {
    config: { access: ['admin', 'approver'] },
    schema: { tags: ['cameras'], summary: 'Register an RTSP camera by hand (rtsp:// or rtsps:// only)', body: CameraBody, response: responses({ 201: CameraView }) },
  }, async (request, reply) => {
    const user = requireUser(request);
    const { username, password, ...body } = request.body;
    assertMayManage(user, body.departmentId);
    const row = await registry.create({ ...body, credentials: username ? { username, password: password ?? '' } : undefined, source: 'manual' });
    await ctx.audit.append({ action: 'config.camera.create', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: row.id, clientIp: request.ip, details: { name: row.name, ownerDepartmentId: row.department_id } });
    reply.status(201);
    return (await toViews(user, [row]))[0];
  });

  r.patch('/cameras/:id', {
    config: { access: ['admin', 'approver'] },
    schema: { tags: ['cameras'], summary: 'Change a camera', params: IdParams, body: CameraPatch, response: responses({ 200: CameraView }) },
  }, async (request) => {
    const user = requireUser(request);
    const current = await registry.get(request.params.id);
    assertMayManage(user, current.department_id);
    const { username, password, ...patch } = request.body;
    const row = await registry.update(current.id, { ...patch, credentials: username !== undefined ? { username, password: password ?? '' } : undefined });
    await ctx.audit.append({ action: 'config.camera.update', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: row.id, clientIp: request.ip, details: { fields: Object.keys(request.body).filter((k) => k !== 'password'), credentialsDropped: ctx.cameras.hasCredentials(current) && !ctx.cameras.hasCredentials(row) } });
    return (await toViews(user, [row]))[0];
  });

  r.delete('/cameras/:id', {
    config: { access: ['admin', 'approver'] },
    schema: { tags: ['cameras'], summary: 'Remove a camera', params: IdParams, response: responses({ 200: OkResponse }) },
  }, async (request) => {
    const user = requireUser(request);
    const current = await registry.get(request.params.id);
    assertMayManage(user, current.department_id);
    await registry.remove(current.id);
    await ctx.audit.append({ action: 'config.camera.delete', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: current.id, clientIp: request.ip, details: { name: current.name } });
    return { ok: true };
  });
}
