import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess } from '../api/access/camera-access.ts';
import { requireUser } from '../api/kernel/http/route-access.ts';
import { IdParams, Millis, responses } from '../api/kernel/http/common-schemas.ts';
import { bindTicket, registerSessionControlRoutes } from '../api/viewing/session-control-routes.ts';
import type { HubContext } from '../api/hub/hub-context.ts';
import type { PlaySessions, PlayTicket } from './play-sessions.ts';
import type { RelayPool } from './relay-pool.ts';

const PlayBody = Type.Object({
  protocol: Type.Optional(Type.Union([Type.Literal('flv'), Type.Literal('ws-flv'), Type.Literal('hls')], { description: 'what the player means to use (audited); every URL is returned' })),
}, { additionalProperties: false });

/** A signed, short-lived way to watch one camera. The token sits in the URLs; renew before expiresAt. */
const PlayTicketView = Type.Object({
  sessionId: Type.String(),
  cameraId: Type.String(),
  protocol: Type.String(),
  hlsUrl: Type.String(),
  flvUrl: Type.String(),
  wsFlvUrl: Type.String({ description: 'path of the WS-FLV WebSocket on this host: open it as ws:// (wss:// behind TLS)' }),
  expiresAt: Millis,
  grantId: Type.Union([Type.String(), Type.Null()]),
});

const StreamStatusView = Type.Object({
  streamId: Type.String(), state: Type.String(), consumers: Type.Array(Type.String()), pid: Type.Union([Type.Integer(), Type.Null()]),
  restarts: Type.Integer(), stallRestarts: Type.Integer(), transcoding: Type.Boolean(), inputCodec: Type.Union([Type.String(), Type.Null()]),
  startedAt: Millis, hlsReady: Type.Boolean(), flvPublishing: Type.Boolean(),
});

function ticketView(ticket: PlayTicket): Static<typeof PlayTicketView> {
  const { session, token, expiresAt } = ticket;
  const query = `?token=${encodeURIComponent(token)}`;
  return {
    sessionId: session.id, cameraId: session.cameraId, protocol: session.protocol, expiresAt, grantId: session.grantId,
    hlsUrl: `/media/hls/${session.cameraId}/index.m3u8${query}`,
    flvUrl: `/media/flv/${session.cameraId}.flv${query}`,
    wsFlvUrl: `/media/wsflv/${session.cameraId}.flv${query}`,
  };
}

export function registerRelayRoutes(app: FastifyInstance, ctx: HubContext, relays: RelayPool, sessions: PlaySessions): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const grace = ctx.config.relay.playTokenGraceSeconds;

  r.post('/cameras/:id/play', {
    config: { access: 'user' },
    schema: {
      tags: ['relay'], summary: 'Start watching a camera: signed HLS, HTTP-FLV and WS-FLV URLs for your department\'s or a granted camera',
      params: IdParams, body: Type.Optional(PlayBody), response: responses({ 201: PlayTicketView }),
    },
  }, async (request, reply) => {
    const user = requireUser(request);
    const decision = await assertCameraAccess(ctx, user, request.params.id, 'live');
    const ticket = await sessions.open(user, request.params.id, decision, request.body?.protocol ?? 'flv', request.ip);
    reply.status(201);
    return ticketView(bindTicket(request, reply, ticket, grace));
  });

  registerSessionControlRoutes(app, ctx, sessions, {
    prefix: '/play', tags: ['relay'], scope: 'live', ticketSchema: PlayTicketView, view: ticketView, graceSeconds: grace,
    summaries: { renew: 'Keep a play session alive: access is checked again and a fresh token issued', stop: 'Stop watching' },
  });

  r.get('/relay/streams', {
    config: { access: ['admin'] },
    schema: { tags: ['relay'], summary: 'Camera pulls running now, their consumers and restarts', response: responses({ 200: Type.Array(StreamStatusView) }) },
  }, async () => relays.status());
}
