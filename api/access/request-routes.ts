import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireUser } from '../kernel/http/route-access.ts';
import { IdParams, responses } from '../kernel/http/common-schemas.ts';
import { ApproveBody, CreateRequestBody, GrantView, ReasonBody, RequestView } from './access-schemas.ts';
import type { AccessTarget } from './access-target.ts';
import type { Actor } from './actor.ts';
import { grantView, requestView } from './grant-views.ts';
import type { AccessRequestService } from './request-service.ts';

export function actorOf(request: FastifyRequest): Actor {
  return { ...requireUser(request), clientIp: request.ip };
}

const StatusQuery = Type.Object({
  status: Type.Optional(Type.Union(['pending', 'approved', 'rejected', 'cancelled'].map((s) => Type.Literal(s)))),
}, { additionalProperties: false });

/** /access/requests…: ask, see, decide. */
export function registerRequestRoutes(app: FastifyInstance, requests: AccessRequestService): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['access'];
  const withGrants = async (rows: Awaited<ReturnType<AccessRequestService['listMine']>>) => {
    const grants = await requests.grantIdsOf(rows.map((row) => row.id));
    return rows.map((row) => requestView(row, grants.get(row.id) ?? null));
  };

  r.post('/access/requests', {
    config: { access: ['viewer'] },
    schema: { tags, summary: 'Ask another department for access to its cameras', body: CreateRequestBody, response: responses({ 201: RequestView }) },
  }, async (request, reply) => {
    const created = await requests.create(actorOf(request), request.body as typeof request.body & AccessTarget);
    reply.status(201);
    return requestView(created);
  });

  r.get('/access/requests/mine', {
    config: { access: 'user' },
    schema: { tags, summary: 'Requests I made, newest first', querystring: StatusQuery, response: responses({ 200: Type.Array(RequestView) }) },
  }, async (request) => withGrants(await requests.listMine(actorOf(request), request.query.status as never)));

  r.get('/access/requests/pending', {
    config: { access: ['approver'] },
    schema: { tags, summary: 'Pending requests for my department’s cameras, oldest first', response: responses({ 200: Type.Array(RequestView) }) },
  }, async (request) => withGrants(await requests.listPending(actorOf(request))));

  r.get('/access/requests/:id', {
    config: { access: 'user' },
    schema: { tags, summary: 'One request (requester or owner department)', params: IdParams, response: responses({ 200: RequestView }) },
  }, async (request) => {
    const row = await requests.get(actorOf(request), request.params.id);
    return (await withGrants([row]))[0];
  });

  r.post('/access/requests/:id/approve', {
    config: { access: ['approver'] },
    schema: {
      tags, summary: 'Approve, optionally narrowing cameras, scopes or window (never widening)', params: IdParams, body: ApproveBody,
      response: responses({ 200: Type.Object({ request: RequestView, grant: GrantView }) }),
    },
  }, async (request) => {
    const { request: decided, grant } = await requests.approve(actorOf(request), request.params.id, request.body ?? {});
    return { request: requestView(decided, grant.id), grant: grantView(grant) };
  });

  r.post('/access/requests/:id/reject', {
    config: { access: ['approver'] },
    schema: { tags, summary: 'Reject with a reason', params: IdParams, body: ReasonBody, response: responses({ 200: RequestView }) },
  }, async (request) => requestView(await requests.reject(actorOf(request), request.params.id, request.body?.reason)));

  r.post('/access/requests/:id/cancel', {
    config: { access: 'user' },
    schema: { tags, summary: 'Withdraw my pending request', params: IdParams, response: responses({ 200: RequestView }) },
  }, async (request) => requestView(await requests.cancel(actorOf(request), request.params.id)));
}
