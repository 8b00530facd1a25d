import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { responses } from '../../kernel/http/common-schemas.ts';
import { requireUser } from '../../kernel/http/route-access.ts';
import type { HubRoutes } from '../../kernel/hub-feature.ts';
import type { AdminActor } from '../peer-service.ts';
import type { DownwardSubscriber } from './downward-subscriber.ts';
import type { IssuedSubscription } from './issued-subscription-repository.ts';

const PeerId = Type.String({ pattern: '^[0-9]{20}$' });
const SubscribeId = Type.String({ pattern: '^[0-9]{33}$' });
const Time = Type.Integer({ minimum: 0, description: 'epoch ms' });

const CreateBody = Type.Object({
  peerId: PeerId,
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  resourceIds: Type.Optional(Type.Array(PeerId, { maxItems: 500, description: 'the lower one\'s device or tollgate IDs (ResourceURI); omitted = all it has for us' })),
  beginAt: Type.Optional(Time),
  endAt: Type.Optional(Time),
  reportInterval: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
}, { additionalProperties: false });

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);
const SubscriptionView = Type.Object({
  id: Type.String(), peerId: Type.String(), title: Type.String(), detail: Type.String(), resourceUri: Nullable(Type.String()),
  beginAt: Type.Integer(), endAt: Type.Integer(), reportInterval: Nullable(Type.Integer()), receiveAddr: Type.String(),
  status: Type.String(), statusCode: Nullable(Type.Integer()), statusText: Nullable(Type.String()),
  notifications: Type.Integer(), objects: Type.Integer(), lastNotifiedAt: Nullable(Type.Integer()),
  createdBy: Type.String(), createdAt: Type.Integer(), cancelledAt: Nullable(Type.Integer()),
  retry: Type.Union([Type.Object({ attempts: Type.Integer(), nextAttemptAt: Type.Integer() }), Type.Null()], { description: 'while retrying: attempts made after the first, and when the next is due' }),
  registration: Type.Union([Type.Object({ state: Type.String(), registeredAt: Nullable(Type.Integer()), lastKeepaliveAt: Nullable(Type.Integer()), lastError: Nullable(Type.String()) }), Type.Null()], { description: 'our digest registration at the peer, when it has register credentials' }),
});

const num = (v: number | string | null) => (v === null ? null : Number(v));
function view(row: IssuedSubscription, subscriber: DownwardSubscriber) {
  const retry = row.status === 'retrying' ? subscriber.retryOf(row.id) : undefined;
  const link = subscriber.registrationWith(row.peer_id);
  return {
    retry: retry ? { attempts: retry.attempts, nextAttemptAt: retry.nextAttemptAt } : null,
    registration: link ? { state: link.state, registeredAt: link.registeredAt, lastKeepaliveAt: link.lastKeepaliveAt, lastError: link.lastError } : null,
    id: row.id, peerId: row.peer_id, title: row.title, detail: row.detail, resourceUri: row.resource_uri, beginAt: Number(row.begin_at), endAt: Number(row.end_at),
    reportInterval: num(row.report_interval), receiveAddr: row.receive_addr, status: row.status, statusCode: num(row.status_code), statusText: row.status_text,
    notifications: Number(row.notifications), objects: Number(row.objects), lastNotifiedAt: num(row.last_notified_at),
    createdBy: row.created_by, createdAt: Number(row.created_at), cancelledAt: num(row.cancelled_at),
  };
}

const actorOf = (request: FastifyRequest): AdminActor => ({ user: requireUser(request), ip: request.ip });
const ADMIN = ['admin'] as const;

/** /api/v1/viid/downward-subscriptions: the subscriptions we issue to lower 视图库 platforms and devices (admins only, audited). */
export function registerDownwardRoutes(app: HubRoutes, subscriber: DownwardSubscriber): void {
  app.get('/viid/downward-subscriptions', {
    config: { access: ADMIN },
    schema: { tags: ['viid'], summary: 'Subscriptions we issued to lower 视图库 peers: their state (active, retrying with the next attempt, refused, cancelled), the answer, our registration there and what arrived', querystring: Type.Object({ peerId: Type.Optional(PeerId) }, { additionalProperties: false }), response: responses({ 200: Type.Array(SubscriptionView) }) },
  }, async (request) => (await subscriber.list(request.query.peerId)).map((row) => view(row, subscriber)));

  app.post('/viid/downward-subscriptions', {
    config: { access: ADMIN },
    schema: { tags: ['viid'], summary: 'Subscribe to a lower 视图库 peer for its MotorVehicles (POST /VIID/Subscribes on it; status says what it answered)', body: CreateBody, response: responses({ 201: SubscriptionView }) },
  }, async (request, reply) => reply.status(201).send(view(await subscriber.create(request.body, actorOf(request)), subscriber)));

  app.delete('/viid/downward-subscriptions/:id', {
    config: { access: ADMIN },
    schema: { tags: ['viid'], summary: 'Cancel a subscription we issued (DELETE /VIID/Subscribes on the peer, PUT OperateType 1 when it has no DELETE)', params: Type.Object({ id: SubscribeId }), response: responses({ 200: SubscriptionView }) },
  }, async (request) => view(await subscriber.cancel(request.params.id, actorOf(request)), subscriber));
}
