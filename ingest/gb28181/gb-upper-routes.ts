import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { badRequest, conflict, forbidden, notFound } from '../../api/kernel/errors/hub-error.ts';
import { IdParams, OkResponse, responses } from '../../api/kernel/http/common-schemas.ts';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import type { GbDeviceRepository } from './gb-device-repository.ts';
import type { GbUpperLink } from './gb-upper-link.ts';

const ShareView = Type.Object({ cameraId: Type.String(), nationalId: Type.String(), name: Type.String(), departmentId: Type.String(), approvedBy: Type.String(), approvedAt: Type.Integer(), ptz: Type.Boolean(), playback: Type.Boolean() });

/**
 * The cameras shared upward to the upper GB/T 28181 platform: an explicit list. Only an approver of the
 * camera's owning department (or an admin) adds or removes a camera; every change is audited.
 */
export function registerGbUpperRoutes(app: FastifyInstance, ctx: HubContext, deps: { devices: GbDeviceRepository; upper: () => GbUpperLink | undefined }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const camera = async (id: string, user: ReturnType<typeof requireUser>) => {
    const row = await ctx.cameras.find(id);
    if (!row) throw notFound('CAMERA_NOT_FOUND', `camera ${id} does not exist`);
    if (user.role !== 'admin' && row.department_id !== user.departmentId) throw forbidden('GB_UPPER_SHARE_DENIED', 'only the owning department decides what is shared upward');
    return row;
  };

  r.get('/gb28181/upper', {
    config: { access: ['admin', 'approver', 'auditor'] },
    schema: { tags: ['gb28181'], summary: 'The upper platform link and the cameras shared upward', response: responses({ 200: Type.Object({ state: Type.String(), shares: Type.Array(ShareView) }) }) },
  }, async () => {
    const shares = [];
    for (const share of await deps.devices.upperShares()) {
      const row = await ctx.cameras.find(share.camera_id);
      if (row?.national_id) shares.push({ cameraId: row.id, nationalId: row.national_id, name: row.name, departmentId: row.department_id, approvedBy: share.approved_by, approvedAt: share.approved_at, ptz: share.ptz === 1, playback: share.playback === 1 });
    }
    return { state: deps.upper()?.state ?? 'off', shares };
  });

  r.post('/gb28181/upper/shares', {
    config: { access: ['admin', 'approver'] },
    schema: { tags: ['gb28181'], summary: 'Share a camera (with a national ID) upward', body: Type.Object({
      cameraId: IdParams.properties.id,
      ptz: Type.Optional(Type.Boolean({ default: false, description: 'the upper may move it (DeviceControl relayed to the device; GB channels)' })),
      playback: Type.Optional(Type.Boolean({ default: false, description: 'the upper may list its recordings on the device (RecordInfo relayed; GB channels)' })),
    }, { additionalProperties: false }), response: responses({ 201: OkResponse }) },
  }, async (request, reply) => {
    const user = requireUser(request);
    const row = await camera(request.body.cameraId, user);
    if (!row.national_id) throw badRequest('GB_NATIONAL_ID_REQUIRED', 'only cameras with a 20-digit national ID can be shared upward');
    const rights = { ptz: request.body.ptz === true, playback: request.body.playback === true };
    if (!await deps.devices.addUpperShare(row.id, user.id, rights)) throw conflict('GB_UPPER_SHARED', 'this camera is already shared upward');
    await ctx.audit.append({ action: 'gb28181.upper.share', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: row.id, clientIp: request.ip, details: { nationalId: row.national_id, ownerDepartmentId: row.department_id, ...rights } });
    reply.status(201);
    return { ok: true };
  });

  r.delete('/gb28181/upper/shares/:id', {
    config: { access: ['admin', 'approver'] },
    schema: { tags: ['gb28181'], summary: 'Stop sharing a camera upward', params: IdParams, response: responses({ 200: OkResponse }) },
  }, async (request) => {
    const user = requireUser(request);
    const row = await camera(request.params.id, user);
    if (!await deps.devices.removeUpperShare(row.id)) throw notFound('GB_UPPER_SHARE_NOT_FOUND', 'this camera is not shared upward');
    if (row.national_id) await deps.upper()?.endChannel(row.national_id);
    await ctx.audit.append({ action: 'gb28181.upper.unshare', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: row.id, clientIp: request.ip, details: { nationalId: row.national_id } });
    return { ok: true };
  });
}
