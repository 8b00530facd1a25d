import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess, authorizeCamera } from './camera-access.ts';
import { requireUser } from '../kernel/http/route-access.ts';
import type { CameraScope } from '../kernel/db/tables/index.ts';
import { notFound } from '../kernel/errors/hub-error.ts';
import type { HubContext } from '../hub/hub-context.ts';
import { IdParams, responses } from '../kernel/http/common-schemas.ts';
import { DecisionView, EmergencyBody, GrantView, ReasonBody, ReviewBody, ScopeSchema } from './access-schemas.ts';
import type { AccessTarget } from './access-target.ts';
import type { GrantService } from './grant-service.ts';
import { grantView } from './grant-views.ts';
import { actorOf } from './request-routes.ts';

const GrantQuery = Type.Object({
  side: Type.Optional(Type.Union([Type.Literal('grantee'), Type.Literal('owner')])),
  state: Type.Optional(Type.Union(['scheduled', 'active', 'ended', 'revoked'].map((s) => Type.Literal(s)))),
  unreviewedEmergency: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

/** /access/grants…, emergency self-grants, and the decision check the player uses. */
export function registerGrantRoutes(app: FastifyInstance, ctx: HubContext, grants: GrantService): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['access'];

  r.get('/access/grants', {
    config: { access: 'user' },
    schema: { tags, summary: 'Grants my department holds or gives (side=grantee|owner)', querystring: GrantQuery, response: responses({ 200: Type.Array(GrantView) }) },
  }, async (request) => {
    const now = Date.now();
    return (await grants.list(actorOf(request), request.query, now)).map((g) => grantView(g, now));
  });

  r.get('/access/grants/:id', {
    config: { access: 'user' },
    schema: { tags, summary: 'One grant (grantee or owner department)', params: IdParams, response: responses({ 200: GrantView }) },
  }, async (request) => {
    const actor = actorOf(request);
    const grant = await grants.get(request.params.id);
    const visible = actor.role === 'admin' || actor.role === 'auditor' || grant.grantee_department_id === actor.departmentId || grant.owner_department_id === actor.departmentId;
    if (!visible) throw notFound('GRANT_NOT_FOUND', `grant ${request.params.id} does not exist`);
    return grantView(grant);
  });

  r.post('/access/grants/:id/revoke', {
    config: { access: ['approver'] },
    schema: { tags, summary: 'Revoke now (owner approver or admin); live sessions on it end', params: IdParams, body: ReasonBody, response: responses({ 200: GrantView }) },
  }, async (request) => grantView(await grants.revoke(actorOf(request), request.params.id, request.body?.reason)));

  r.post('/access/emergency', {
    config: { access: ['viewer'] },
    schema: { tags, summary: 'Duty officers: time-boxed emergency self-grant, reviewed by the owner afterwards', body: EmergencyBody, response: responses({ 201: GrantView }) },
  }, async (request, reply) => {
    const { minutes, reason, ...target } = request.body;
    const grant = await grants.emergency(actorOf(request), target as AccessTarget, minutes, reason);
    reply.status(201);
    return grantView(grant);
  });

  r.post('/access/grants/:id/review', {
    config: { access: ['approver'] },
    schema: { tags, summary: 'Owner review of an emergency grant: upheld, or revoke with a note', params: IdParams, body: ReviewBody, response: responses({ 200: GrantView }) },
  }, async (request) => grantView(await grants.review(actorOf(request), request.params.id, request.body.outcome, request.body.note)));

  r.get('/access/cameras/:id/decision', {
    config: { access: 'user' },
    schema: {
      tags, summary: 'May I use this camera with this scope now? (the hub’s one decision function)', params: IdParams,
      querystring: Type.Object({ scope: ScopeSchema }, { additionalProperties: false }), response: responses({ 200: DecisionView }),
    },
  }, async (request) => {
    const decision = await authorizeCamera(ctx, requireUser(request), request.params.id, request.query.scope as CameraScope);
    if (decision.reason === 'no-camera') await assertCameraAccess(ctx, requireUser(request), request.params.id, request.query.scope as CameraScope);
    return decision;
  });
}
