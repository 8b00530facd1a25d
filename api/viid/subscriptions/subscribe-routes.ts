import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { PeerSessions } from '../peer-sessions.ts';
import { isDomainError } from '../../kernel/errors/domain-error.ts';
import { ResponseStatusListSchema, ResponseStatusObjectSchema, responseStatus, statusList, viidBadContent, viidForbidden } from '../viid-status.ts';
import { subscribeObjects as readObjects } from './subscribe-object.ts';
import type { Subscriber, SubscribeOutcome, SubscriptionService } from './subscription-service.ts';

/** The upstream 视图库 we are registered with, when it is the one asking (it may subscribe to us). */
export interface UpstreamIdentity {
  subscriberFor(request: FastifyRequest): Subscriber | undefined;
}

const Body = Type.Object({ SubscribeListObject: Type.Unknown() }, { additionalProperties: true });
const reply = { 200: ResponseStatusListSchema, '4xx': ResponseStatusObjectSchema, '5xx': ResponseStatusObjectSchema };
const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

/** The body's SubscribeObjects; a body that is not a SubscribeListObject is the request's fault (400, StatusCode 8). */
function subscribeObjects(body: unknown): unknown[] {
  try {
    return readObjects(body);
  } catch (error) {
    if (isDomainError(error)) throw viidBadContent(error.code, error.message, error);
    throw error;
  }
}

/**
 * POST/PUT/DELETE /VIID/Subscribes from registered upper platforms (User-Identify of a platform session) or
 * from the upstream 视图库 while we are registered with it. The reply is a ResponseStatusListObject, one entry
 * per SubscribeObject (Id = its SubscribeID, StatusCode 0 or why not); devices may not subscribe (403).
 */
export function registerSubscribeRoutes(scope: FastifyInstance, sessions: PeerSessions, service: SubscriptionService, upstream: UpstreamIdentity): void {
  const subscriberOf = (request: FastifyRequest): Subscriber => {
    const fromUpstream = upstream.subscriberFor(request);
    if (fromUpstream) return fromUpstream;
    const session = sessions.identify(request);
    if (session.kind !== 'platform') throw viidForbidden('VIID_SUBSCRIBE_DEVICE', `${session.peerId} is a device; only platforms subscribe`);
    return { peerId: session.peerId, departmentId: session.departmentId, address: request.ip };
  };
  const answer = (request: FastifyRequest, outcomes: SubscribeOutcome[]) =>
    statusList(outcomes.map((o) => responseStatus(pathOf(request), o.statusCode, o.text, o.id)));

  scope.post('/Subscribes', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'GA/T 1400 subscribe (the subscriber issues the SubscribeID)', body: Body, response: reply },
  }, async (request) => {
    const subscriber = subscriberOf(request);
    return answer(request, await service.apply(subscriber, subscribeObjects(request.body), 'create'));
  });

  scope.put('/Subscribes', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'GA/T 1400 change or cancel (OperateType 1) subscriptions', body: Body, response: reply },
  }, async (request) => {
    const subscriber = subscriberOf(request);
    return answer(request, await service.apply(subscriber, subscribeObjects(request.body), 'update'));
  });

  scope.withTypeProvider<TypeBoxTypeProvider>().delete('/Subscribes', {
    config: { access: 'public' },
    schema: {
      tags: ['viid'], summary: 'GA/T 1400 cancel subscriptions by ID',
      querystring: Type.Object({ IDList: Type.String({ minLength: 1, maxLength: 6_500 }) }, { additionalProperties: true }),
      response: reply,
    },
  }, async (request) => {
    const subscriber = subscriberOf(request);
    const ids = request.query.IDList.split(',').map((id: string) => id.trim()).filter(Boolean).slice(0, 100);
    return answer(request, await service.cancelAll(subscriber, ids));
  });
}
