import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { badRequest, conflict, notFound, unavailable } from '../../api/kernel/errors/hub-error.ts';
import { OkResponse, responses } from '../../api/kernel/http/common-schemas.ts';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import type { GbChannelCameras } from './gb-channel-cameras.ts';
import type { GbDeviceRepository, GbDeviceRow } from './gb-device-repository.ts';
import type { GbRecords } from './gb-records.ts';
import type { GbSipServer } from './gb-sip-server.ts';
import { assertCameraAccess } from '../../api/access/camera-access.ts';
import { IdParams } from '../../api/kernel/http/common-schemas.ts';

const DeviceParams = Type.Object({ id: Type.String({ pattern: '^\\d{20}$' }) });
const Category = Type.Union(['public_security', 'traffic', 'community', 'other'].map((c) => Type.Literal(c)));
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const DeviceView = Type.Object({
  id: Type.String(), name: Nullable(Type.String()), departmentId: Nullable(Type.String()), category: Type.String(),
  transport: Type.String(), address: Nullable(Type.String()), port: Nullable(Type.Integer()), status: Type.String(), charset: Type.String(),
  registeredAt: Nullable(Type.Integer()), lastKeepaliveAt: Nullable(Type.Integer()), manufacturer: Nullable(Type.String()),
  model: Nullable(Type.String()), firmware: Nullable(Type.String()), hasPassword: Type.Boolean(), streamMode: Type.String(),
});
const ChannelView = Type.Object({
  id: Type.String(), name: Type.String(), civilCode: Nullable(Type.String()), address: Nullable(Type.String()), ptzType: Nullable(Type.Integer()),
  status: Type.String(), lon: Nullable(Type.Number()), lat: Nullable(Type.Number()), cameraId: Nullable(Type.String()),
});
const DeviceChange = {
  name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  departmentId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  category: Type.Optional(Category),
  password: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 128 }))),
  charset: Type.Optional(Type.Union([Type.Literal('GB2312'), Type.Literal('UTF-8')])),
  streamMode: Type.Optional(Type.Union([Type.Literal('udp'), Type.Literal('tcp-passive'), Type.Literal('tcp-active')], { description: 'live video over RTP/UDP, RTP/TCP with the hub listening (tcp-passive: the device connects), or RTP/TCP with the device listening (tcp-active: the hub connects)' })),
};
const DeviceBody = Type.Object({ id: Type.String({ pattern: '^\\d{20}$' }), ...DeviceChange }, { additionalProperties: false });
const DevicePatch = Type.Object(DeviceChange, { additionalProperties: false });

function view(row: GbDeviceRow, online: boolean): Static<typeof DeviceView> {
  return {
    id: row.id, name: row.name, departmentId: row.department_id, category: row.category, transport: row.transport, address: row.address, port: row.port,
    status: online ? 'online' : row.status === 'unknown' ? 'unknown' : 'offline', charset: row.charset, registeredAt: row.registered_at,
    lastKeepaliveAt: row.last_keepalive_at, manufacturer: row.manufacturer, model: row.model, firmware: row.firmware, hasPassword: row.password_enc !== null,
    streamMode: row.stream_mode,
  };
}

/** Admin routes: the devices that register (or may), their owner department, their channels, a fresh catalogue query. */
export function registerGbRoutes(app: FastifyInstance, ctx: HubContext, deps: { devices: GbDeviceRepository; cameras: GbChannelCameras; records: GbRecords; server: () => GbSipServer | undefined }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { devices } = deps;
  const online = (id: string) => deps.server()?.sessions.get(id) !== undefined;
  const audit = (request: FastifyRequest, action: string, id: string, details: Record<string, unknown>, targetType = 'gb_device') => {
    const user = requireUser(request);
    return ctx.audit.append({ action, userId: user.id, username: user.username, departmentId: user.departmentId, targetType, targetId: id, clientIp: request.ip, details });
  };
  const assertDepartment = async (id: string | null | undefined) => {
    if (!id) return;
    const found = await ctx.db.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst();
    if (!found) throw badRequest('DEPARTMENT_UNKNOWN', `department ${id} does not exist`);
  };
  const get = async (id: string) => {
    const row = await devices.find(id);
    if (!row) throw notFound('GB_DEVICE_NOT_FOUND', `GB/T 28181 device ${id} is not known`);
    return row;
  };

  r.get('/gb28181/devices', {
    config: { access: ['admin'] },
    schema: { tags: ['gb28181'], summary: 'GB/T 28181 devices and lower platforms', response: responses({ 200: Type.Array(DeviceView) }) },
  }, async () => (await devices.list()).map((row) => view(row, online(row.id))));

  r.post('/gb28181/devices', {
    config: { access: ['admin'] },
    schema: { tags: ['gb28181'], summary: 'Add a device that may register (strict mode), with its owner and password', body: DeviceBody, response: responses({ 201: DeviceView }) },
  }, async (request, reply) => {
    const { id, password, streamMode, ...rest } = request.body;
    if (await devices.find(id)) throw conflict('GB_DEVICE_EXISTS', `GB/T 28181 device ${id} is already known`);
    await assertDepartment(rest.departmentId);
    const now = Date.now();
    await devices.insert({
      id, name: rest.name ?? null, department_id: rest.departmentId ?? null, category: rest.category ?? 'other', charset: rest.charset ?? 'GB2312',
      transport: 'udp', stream_mode: streamMode ?? 'udp', address: null, port: null, status: 'unknown', register_call_id: null, expires_s: null, registered_at: null,
      last_keepalive_at: null, manufacturer: null, model: null, firmware: null, created_at: now, updated_at: now,
    }, password ?? null);
    await audit(request, 'config.gb28181.device.create', id, { departmentId: rest.departmentId ?? null, password: password ? 'set' : 'platform' });
    reply.status(201);
    return view(await get(id), online(id));
  });

  r.patch('/gb28181/devices/:id', {
    config: { access: ['admin'] },
    schema: { tags: ['gb28181'], summary: 'Set a device\'s owner department (its channels become that department\'s cameras), category, password', params: DeviceParams, body: DevicePatch, response: responses({ 200: DeviceView }) },
  }, async (request) => {
    const { id } = request.params;
    const before = await get(id);
    const { password, departmentId, streamMode, ...rest } = request.body;
    await assertDepartment(departmentId);
    await devices.update(id, { ...rest, ...(departmentId !== undefined ? { department_id: departmentId } : {}), ...(streamMode ? { stream_mode: streamMode } : {}) }, password);
    await audit(request, 'config.gb28181.device.update', id, {
      fields: Object.keys(request.body).filter((k) => k !== 'password'), password: password === undefined ? 'kept' : password ? 'changed' : 'platform',
      departmentBefore: before.department_id, departmentAfter: departmentId === undefined ? before.department_id : departmentId,
    });
    await deps.cameras.syncDevice(id);
    return view(await get(id), online(id));
  });

  r.delete('/gb28181/devices/:id', {
    config: { access: ['admin'] },
    schema: { tags: ['gb28181'], summary: 'Forget a device and its channels (their cameras stay, offline)', params: DeviceParams, response: responses({ 200: OkResponse }) },
  }, async (request) => {
    const { id } = request.params;
    await get(id);
    deps.server()?.sessions.delete(id);
    await deps.cameras.deviceStatusChanged(id);
    await devices.delete(id);
    await audit(request, 'config.gb28181.device.delete', id, {});
    return { ok: true };
  });

  r.get('/gb28181/devices/:id/channels', {
    config: { access: ['admin'] },
    schema: { tags: ['gb28181'], summary: 'The channels of a device\'s catalogue', params: DeviceParams, response: responses({ 200: Type.Array(ChannelView) }) },
  }, async (request) => {
    await get(request.params.id);
    return (await devices.channels(request.params.id)).map((c) => ({
      id: c.id, name: c.name, civilCode: c.civil_code, address: c.address, ptzType: c.ptz_type, status: c.status, lon: c.lon, lat: c.lat, cameraId: c.camera_id,
    }));
  });

  r.get('/cameras/:id/gb28181/records', {
    config: { access: 'user', auditsCameraDenials: true },
    schema: {
      tags: ['gb28181'], summary: 'Recordings the GB/T 28181 device or NVR holds for this channel in a time range (RecordInfo)', params: IdParams,
      querystring: Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }) }, { additionalProperties: false }),
      response: responses({ 200: Type.Object({ complete: Type.Boolean(), records: Type.Array(Type.Object({
        start: Type.Integer(), end: Type.Integer(), name: Nullable(Type.String()), filePath: Nullable(Type.String()), type: Nullable(Type.String()), fileSize: Nullable(Type.Number()),
      })) }) }),
    },
  }, async (request) => {
    const user = requireUser(request);
    const { start, end } = request.query;
    if (end <= start || end - start > 31 * 86_400_000) throw badRequest('GB_RECORD_RANGE_INVALID', 'end must be after start, at most 31 days later');
    await assertCameraAccess(ctx, user, request.params.id, 'live');
    const camera = await ctx.cameras.find(request.params.id);
    if (camera?.source !== 'gb28181' || !camera.national_id) throw badRequest('GB_CAMERA_REQUIRED', 'this camera is not a GB/T 28181 channel');
    const result = await deps.records.query(camera.national_id, start, end).catch((error: Error) => { throw unavailable('GB_DEVICE_UNREACHABLE', error.message, error); });
    await audit(request, 'gb28181.records.query', camera.id, { start, end, found: result.records.length, complete: result.complete }, 'camera');
    return result;
  });

  r.post('/gb28181/devices/:id/catalog', {
    config: { access: ['admin'] },
    schema: { tags: ['gb28181'], summary: 'Ask the device for its catalogue again', params: DeviceParams, response: responses({ 202: OkResponse }) },
  }, async (request, reply) => {
    await get(request.params.id);
    const server = deps.server();
    if (!server?.sessions.get(request.params.id)) throw unavailable('GB_DEVICE_OFFLINE', `GB/T 28181 device ${request.params.id} is not registered`);
    await server.query(request.params.id, 'Catalog').catch((error: Error) => { throw unavailable('GB_DEVICE_UNREACHABLE', error.message, error); });
    reply.status(202);
    return { ok: true };
  });
}
