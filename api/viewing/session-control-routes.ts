import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { assertCameraAccess, type CameraAccessSources } from '../access/camera-access.ts';
import type { CameraScope } from '../kernel/db/tables/index.ts';
import { OkResponse, responses } from '../kernel/http/common-schemas.ts';
import { requireUser } from '../kernel/http/route-access.ts';
import type { ViewingSession } from './viewing-session.ts';
import type { ViewingSessions, ViewingTicket } from './viewing-sessions.ts';

export const SessionParams = Type.Object({ sessionId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });

/**
 * Gives the browser the session's binding cookie (PlayBinding) with the ticket: media URLs only play where
 * it is. It lasts as long as the newest token and its grace, and comes again with every renew.
 */
export function bindTicket<T extends ViewingTicket<ViewingSession>>(request: FastifyRequest, reply: FastifyReply, ticket: T, graceSeconds: number): T {
  const maxAge = (ticket.expiresAt - Date.now()) / 1_000 + graceSeconds;
  reply.header('set-cookie', ticket.session.binding.cookie(maxAge, request.protocol === 'https'));
  return ticket;
}

export interface SessionControl<S extends ViewingSession> {
  /** Route prefix of the kind's sessions: `/play` (live) or `/playback/sessions`. */
  prefix: string;
  tags: string[];
  /** The camera scope access is checked again for on renew. */
  scope: CameraScope;
  summaries: { renew: string; stop: string };
  ticketSchema: TSchema;
  view: (ticket: ViewingTicket<S>) => unknown;
  graceSeconds: number;
}

/**
 * `POST <prefix>/:sessionId/renew` and `/stop` of one kind of session, the same for live and playback:
 * renew re-checks access (a refusal ends the session) and issues the next token generation with the cookie
 * again; stop ends the session (`viewer_stop`) and clears the cookie. Only the session's own user reaches it.
 */
export function registerSessionControlRoutes<S extends ViewingSession>(
  app: FastifyInstance, access: CameraAccessSources, sessions: ViewingSessions<S>, control: SessionControl<S>,
): void {
  const { prefix, tags, scope, summaries } = control;

  app.post<{ Params: { sessionId: string } }>(`${prefix}/:sessionId/renew`, {
    config: { access: 'user' },
    schema: { tags, summary: summaries.renew, params: SessionParams, response: responses({ 200: control.ticketSchema }) },
  }, async (request, reply) => {
    const user = requireUser(request);
    const session = sessions.owned(request.params.sessionId, user);
    const decision = await assertCameraAccess(access, user, session.cameraId, scope).catch(async (error: unknown) => {
      await sessions.end(session, 'grant_revoked');
      throw error;
    });
    return control.view(bindTicket(request, reply, await sessions.renew(session.id, user, decision), control.graceSeconds));
  });

  app.post<{ Params: { sessionId: string } }>(`${prefix}/:sessionId/stop`, {
    config: { access: 'user' },
    schema: { tags, summary: summaries.stop, params: SessionParams, response: responses({ 200: OkResponse }) },
  }, async (request, reply) => {
    const session = sessions.owned(request.params.sessionId, requireUser(request));
    await sessions.end(session, 'viewer_stop');
    reply.header('set-cookie', session.binding.cleared(request.protocol === 'https'));
    return { ok: true };
  });
}
