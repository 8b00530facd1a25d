import type { Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess, authorizeCamera } from '../access/camera-access.ts';
import type { HubContext } from '../hub/hub-context.ts';
import { notFound } from '../kernel/errors/hub-error.ts';
import { IdParams, responses } from '../kernel/http/common-schemas.ts';
import { requireUser } from '../kernel/http/route-access.ts';
import type { RecordingIndex } from '../../recording/recording-index.ts';
import { formatChinaTime } from './china-time.ts';
import { assertPlaybackRange, assertReason } from './playback-range.ts';
import { CoverageBody, CoverageView, OpenPlaybackBody, PlaybackTicketView, RangeQuery, TimelineView } from './playback-schemas.ts';
import { bindTicket, registerSessionControlRoutes } from '../viewing/session-control-routes.ts';
import type { PlaybackSessions, PlaybackTicket } from './playback-sessions.ts';
import { segmentFrameRate } from './segment-frame-rate.ts';
import { timelineEvents, type TimelineEventSources } from './timeline-events.ts';

function ticketView(ticket: PlaybackTicket): Static<typeof PlaybackTicketView> {
  const { session, token, expiresAt } = ticket;
  return {
    sessionId: session.id, cameraId: session.cameraId, from: session.from, to: session.to, firstSegmentAt: session.firstSegmentAt, frameRate: session.frameRate, expiresAt, grantId: session.grantId,
    playlistUrl: `/media/vod/${session.id}/index.m3u8?token=${encodeURIComponent(token)}`,
  };
}

/** Timeline and playback sessions of recorded video (scope `playback`; the grant's lookback limits the range). */
export interface PlaybackRouteDeps {
  index: RecordingIndex;
  sessions: PlaybackSessions;
  /** `<dataDir>/recordings`. */
  recordingsRoot: string;
  events: TimelineEventSources;
}

export function registerPlaybackRoutes(app: FastifyInstance, ctx: HubContext, { index, sessions, recordingsRoot, events: eventSources }: PlaybackRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = ctx.config.playback;
  const maxMs = config.maxRangeHours * 3_600_000;

  r.get('/playback/cameras/:id/timeline', {
    config: { access: 'user' },
    schema: { tags: ['playback'], summary: 'Recorded spans, gaps and events (passes, watchlist and crowd alerts) of a camera in a time range', params: IdParams, querystring: RangeQuery, response: responses({ 200: TimelineView }) },
  }, async (request) => {
    const user = requireUser(request);
    const { id } = request.params;
    const decision = await assertCameraAccess(ctx, user, id, 'playback');
    const range = { from: request.query.from, to: request.query.to };
    assertPlaybackRange(range, maxMs, decision);
    const [spans, gaps] = await Promise.all([index.spans(id, range.from, range.to), index.gapsBetween(id, range.from, range.to)]);
    const eventsShown = (await authorizeCamera(ctx, user, id, 'events')).allowed;
    const events = eventsShown ? await timelineEvents(eventSources, id, range.from, range.to, { departmentId: user.departmentId, admin: user.role === 'admin' }) : [];
    return { cameraId: id, ...range, spans, gaps: gaps.map((g) => ({ from: g.fromAt, to: g.ongoing ? Math.min(g.toAt, range.to) : g.toAt, reason: g.reason, ongoing: g.ongoing === true })), events, eventsShown };
  });

  r.post('/playback/cameras/:id/sessions', {
    config: { access: 'user' },
    schema: { tags: ['playback'], summary: 'Play recordings of a camera from a time: a signed HLS VOD playlist (audited with the reason)', params: IdParams, body: OpenPlaybackBody, response: responses({ 201: PlaybackTicketView }) },
  }, async (request, reply) => {
    const user = requireUser(request);
    const { id } = request.params;
    const reason = assertReason(request.body.reason);
    const decision = await assertCameraAccess(ctx, user, id, 'playback');
    const range = { from: request.body.from, to: request.body.to };
    assertPlaybackRange(range, maxMs, decision);
    const first = (await index.segmentsBetween(id, range.from, range.to))[0];
    if (!first) {
      const next = await index.segmentAt(id, range.from);
      const hint = next ? `; the next recording starts at ${formatChinaTime(next.startedAt)} (China time)` : '; nothing is recorded after it';
      throw notFound('PLAYBACK_NOT_RECORDED', `camera ${id} has no recording between ${formatChinaTime(range.from)} and ${formatChinaTime(range.to)}${hint}`);
    }
    const frameRate = await segmentFrameRate(recordingsRoot, first);
    const ticket = await sessions.open(user, id, range, decision, reason, request.ip, { firstSegmentAt: first.startedAt, frameRate });
    reply.status(201);
    return ticketView(bindTicket(request, reply, ticket, config.tokenGraceSeconds));
  });

  // For "play from here" on passes and alerts: one answer per item, false when not recorded or not allowed.
  r.post('/playback/coverage', {
    config: { access: 'user' },
    schema: { tags: ['playback'], summary: 'Which (camera, time) pairs have a recording you may play', body: CoverageBody, response: responses({ 200: CoverageView }) },
  }, async (request) => {
    const user = requireUser(request);
    const decisions = new Map<string, Awaited<ReturnType<typeof authorizeCamera>>>();
    const recorded: boolean[] = [];
    for (const { cameraId, at } of request.body.items) {
      if (!decisions.has(cameraId)) decisions.set(cameraId, await authorizeCamera(ctx, user, cameraId, 'playback'));
      const decision = decisions.get(cameraId)!;
      const reachable = decision.allowed && (decision.playbackFrom === undefined || at >= decision.playbackFrom) && (decision.playbackTo === undefined || at < decision.playbackTo);
      recorded.push(reachable && (await index.segmentsBetween(cameraId, at, at + 1)).length > 0);
    }
    return { recorded };
  });

  registerSessionControlRoutes(app, ctx, sessions, {
    prefix: '/playback/sessions', tags: ['playback'], scope: 'playback', ticketSchema: PlaybackTicketView, view: ticketView, graceSeconds: config.tokenGraceSeconds,
    summaries: { renew: 'Keep a playback session alive: access checked again, a fresh token', stop: 'Stop a playback session' },
  });
}
