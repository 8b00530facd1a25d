import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { responses } from '../kernel/http/common-schemas.ts';
import { requireUser } from '../kernel/http/route-access.ts';
import type { HubRoutes } from '../kernel/hub-feature.ts';
import type { Peer } from './peer-repository.ts';
import type { AdminActor, PeerService } from './peer-service.ts';

const DeviceId = Type.String({ pattern: '^[0-9]{20}$' });
const Devices = Type.Array(DeviceId, { maxItems: 10_000, description: 'national IDs (cameras, tollgates) the peer may report for' });
const Password = Type.String({ minLength: 8, maxLength: 128 });
const PeerParams = Type.Object({ id: DeviceId });
const RegisterUsername = Type.String({ minLength: 1, maxLength: 64, description: 'digest username we register with at this lower 视图库; default our server ID' });
const RegisterPassword = Type.String({ minLength: 1, maxLength: 256, description: 'digest password we register with at this lower 视图库 before subscribing there (never returned)' });
const BaseUrl = Type.Union([Type.String({ maxLength: 500, description: 'http(s)://host:port where we reach this lower platform or device (its /VIID paths); for downward subscriptions' }), Type.Null()]);

/** A peer as the admin sees it: never its password. */
const PeerView = Type.Object({
  id: Type.String(), kind: Type.String(), name: Type.String(), departmentId: Type.String(), disabled: Type.Boolean(),
  status: Type.String(), registeredAt: Type.Union([Type.Integer(), Type.Null()]), registeredFrom: Type.Union([Type.String(), Type.Null()]),
  lastSeenAt: Type.Union([Type.Integer(), Type.Null()]), baseUrl: Type.Union([Type.String(), Type.Null()]),
  registersDownward: Type.Boolean({ description: 'we register at it (HTTP Digest) before subscribing there' }), registerUsername: Type.Union([Type.String(), Type.Null()]), devices: Type.Array(Type.String()), createdBy: Type.String(), createdAt: Type.Integer(),
});

const PeerBody = Type.Object({
  id: DeviceId,
  kind: Type.Union([Type.Literal('device'), Type.Literal('platform')]),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  departmentId: Type.String({ minLength: 1, maxLength: 64 }),
  password: Password,
  devices: Type.Optional(Devices),
  baseUrl: Type.Optional(BaseUrl),
  registerUsername: Type.Optional(RegisterUsername),
  registerPassword: Type.Optional(RegisterPassword),
}, { additionalProperties: false });

const PeerPatchBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  password: Type.Optional(Password),
  devices: Type.Optional(Devices),
  disabled: Type.Optional(Type.Boolean()),
  baseUrl: Type.Optional(BaseUrl),
  registerUsername: Type.Optional(RegisterUsername),
  registerPassword: Type.Optional(Type.Union([RegisterPassword, Type.Null()], { description: 'null = stop registering there' })),
}, { additionalProperties: false });

function view(peer: Peer) {
  return {
    id: peer.id, kind: peer.kind, name: peer.name, departmentId: peer.department_id, disabled: peer.disabled === 1, status: peer.status,
    registeredAt: peer.registered_at === null ? null : Number(peer.registered_at), registeredFrom: peer.registered_from,
    lastSeenAt: peer.last_seen_at === null ? null : Number(peer.last_seen_at), baseUrl: peer.base_url,
    registersDownward: peer.registersDownward, registerUsername: peer.register_username, devices: peer.devices, createdBy: peer.created_by, createdAt: Number(peer.created_at),
  };
}

const actorOf = (request: FastifyRequest): AdminActor => ({ user: requireUser(request), ip: request.ip });
const ADMIN = ['admin'] as const;

/** /api/v1/viid/peers: the GA/T 1400 peers allowed to register (admins only; passwords go in, never out). */
export function registerPeerRoutes(app: HubRoutes, service: PeerService, list: () => Promise<Peer[]>): void {
  app.get('/viid/peers', {
    config: { access: ADMIN },
    schema: { tags: ['viid'], summary: 'GA/T 1400 peers with their devices and registration state', response: responses({ 200: Type.Array(PeerView) }) },
  }, async () => (await list()).map(view));

  app.post('/viid/peers', {
    config: { access: ADMIN },
    schema: { tags: ['viid'], summary: 'Allow a 卡口 device or platform to register (audited)', body: PeerBody, response: responses({ 201: PeerView }) },
  }, async (request, reply) => {
    const peer = await service.create({ ...request.body, devices: request.body.devices ?? [] }, actorOf(request));
    return reply.status(201).send(view(peer));
  });

  app.get('/viid/peers/:id', {
    config: { access: ADMIN },
    schema: { tags: ['viid'], summary: 'One GA/T 1400 peer', params: PeerParams, response: responses({ 200: PeerView }) },
  }, async (request) => view(await service.get(request.params.id)));

  app.patch('/viid/peers/:id', {
    config: { access: ADMIN },
    schema: { tags: ['viid'], summary: 'Change a peer (name, password, devices, baseUrl, disabled); ends its session (audited)', params: PeerParams, body: PeerPatchBody, response: responses({ 200: PeerView }) },
  }, async (request) => view(await service.update(request.params.id, request.body, actorOf(request))));

  app.delete('/viid/peers/:id', {
    config: { access: ADMIN },
    schema: { tags: ['viid'], summary: 'Remove a peer (audited)', params: PeerParams, response: responses({ 204: Type.Null() }) },
  }, async (request, reply) => {
    await service.remove(request.params.id, actorOf(request));
    return reply.status(204).send();
  });
}
