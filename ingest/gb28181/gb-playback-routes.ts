import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess } from '../../api/access/camera-access.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { badRequest, notFound, unavailable } from '../../api/kernel/errors/hub-error.ts';
import { IdParams, Millis, responses } from '../../api/kernel/http/common-schemas.ts';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { assertPlaybackRange, assertReason } from '../../api/playback/playback-range.ts';
import { OpenPlaybackBody, PlaybackTicketView, RangeQuery } from '../../api/playback/playback-schemas.ts';
import type { PlaybackSessions } from '../../api/playback/playback-sessions.ts';
import { hlsFileKind, openHlsFile } from '../../relay/media-files.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import type { GbDevicePlaybacks } from './gb-device-playbacks.ts';
import type { GbRecords } from './gb-records.ts';

const DeviceRecordsView = Type.Object({
  cameraId: Type.String(), from: Millis, to: Millis,
  /** False when the device did not finish its (multi-part) answer in time: what arrived is listed. */
  complete: Type.Boolean(),
  records: Type.Array(Type.Object({ from: Millis, to: Millis, name: Type.Union([Type.String(), Type.Null()]), type: Type.Union([Type.String(), Type.Null()]) })),
});
const ControlBody = Type.Object({
  action: Type.Union([Type.Literal('pause'), Type.Literal('resume'), Type.Literal('seek'), Type.Literal('speed')]),
  /** For seek: the recording time to go to, within the session's range. */
  at: Type.Optional(Millis),
  /** For speed: 0.25–8 (devices commonly take 0.25, 0.5, 1, 2, 4, 8). */
  scale: Type.Optional(Type.Number({ minimum: 0.25, maximum: 8 })),
}, { additionalProperties: false });
const ControlView = Type.Object({ sessionId: Type.String(), paused: Type.Boolean(), scale: Type.Number(), position: Type.Union([Millis, Type.Null()]) });
const SessionParams = Type.Object({ sessionId: Type.String({ maxLength: 128 }) });
const MediaParams = Type.Object({ sessionId: Type.String({ maxLength: 128 }), file: Type.String({ maxLength: 256 }) });
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 4_096 })) });
const SESSION_ID = /^[A-Za-z0-9-]{1,64}$/;

interface Deps {
  records: GbRecords;
  playbacks: GbDevicePlaybacks;
  sessions: () => PlaybackSessions | undefined;
  relay: () => RelayPool | undefined;
}

/** The GB channel behind a camera the caller may play back, and the range checked against the grant's lookback. */
async function deviceRange(ctx: HubContext, userId: Parameters<typeof assertCameraAccess>[1], cameraId: string, range: { from: number; to: number }) {
  const decision = await assertCameraAccess(ctx, userId, cameraId, 'playback');
  assertPlaybackRange(range, ctx.config.playback.maxRangeHours * 3_600_000, decision);
  const camera = await ctx.cameras.find(cameraId);
  if (camera?.source !== 'gb28181' || !camera.national_id) throw badRequest('GB_CAMERA_REQUIRED', 'this camera is not a GB/T 28181 channel');
  return { decision, channelId: camera.national_id };
}

/**
 * Playback of recordings held on the device (issue 16's playback page, GB channels): the device's own
 * recordings for the timeline (RecordInfo), and a playback session that plays one through the relay, under
 * the rules of hub recordings: scope `playback`, the grant's lookback, a reason, audit, revocation.
 */
export function registerGbPlaybackRoutes(app: FastifyInstance, ctx: HubContext, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/playback/cameras/:id/device-records', {
    config: { access: 'user', auditsCameraDenials: true },
    schema: { tags: ['playback', 'gb28181'], summary: 'Recordings the GB/T 28181 device or NVR itself holds for this channel (RecordInfo), within your lookback', params: IdParams, querystring: RangeQuery, response: responses({ 200: DeviceRecordsView }) },
  }, async (request) => {
    const user = requireUser(request);
    const range = { from: request.query.from, to: request.query.to };
    const { channelId } = await deviceRange(ctx, user, request.params.id, range);
    const result = await deps.records.query(channelId, range.from, range.to).catch((error: Error) => { throw unavailable('GB_DEVICE_UNREACHABLE', error.message, error); });
    await ctx.audit.append({
      action: 'gb28181.records.query', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: request.params.id,
      clientIp: request.ip, details: { from: range.from, to: range.to, found: result.records.length, complete: result.complete },
    });
    const records = result.records.filter((x) => x.end > range.from && x.start < range.to)
      .map((x) => ({ from: Math.max(x.start, range.from), to: Math.min(x.end, range.to), name: x.name, type: x.type }));
    return { cameraId: request.params.id, ...range, complete: result.complete, records };
  });

  r.post('/playback/cameras/:id/device-sessions', {
    config: { access: 'user', auditsCameraDenials: true },
    schema: { tags: ['playback', 'gb28181'], summary: 'Play a recording held on the GB/T 28181 device from a time (INVITE s=Playback through the relay); audited with the reason', params: IdParams, body: OpenPlaybackBody, response: responses({ 201: PlaybackTicketView }) },
  }, async (request, reply) => {
    const user = requireUser(request);
    const reason = assertReason(request.body.reason);
    const range = { from: request.body.from, to: request.body.to };
    const { decision, channelId } = await deviceRange(ctx, user, request.params.id, range);
    const ticket = await deps.playbacks.open(user, request.params.id, range, decision, reason, request.ip);
    const { session, token, expiresAt } = ticket;
    await ctx.audit.append({
      action: 'gb28181.playback', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: session.cameraId,
      clientIp: request.ip, reason, details: { sessionId: session.id, channelId, from: range.from, to: range.to, grantId: session.grantId },
    });
    reply.header('set-cookie', session.binding.cookie((expiresAt - Date.now()) / 1_000 + ctx.config.playback.tokenGraceSeconds, request.protocol === 'https'));
    reply.status(201);
    return {
      sessionId: session.id, cameraId: session.cameraId, from: session.from, to: session.to, firstSegmentAt: session.firstSegmentAt, frameRate: session.frameRate, expiresAt, grantId: session.grantId,
      playlistUrl: `/media/gbvod/${session.id}/index.m3u8?token=${encodeURIComponent(token)}`,
    };
  });

  registerGbPlaybackControlRoute(app, ctx, deps);
}

/** Pause, resume, seek and speed of the caller's own device playback (MANSRTSP to the device), audited. */
function registerGbPlaybackControlRoute(app: FastifyInstance, ctx: HubContext, deps: Deps): void {
  app.withTypeProvider<TypeBoxTypeProvider>().post('/playback/device-sessions/:sessionId/control', {
    config: { access: 'user' },
    schema: { tags: ['playback', 'gb28181'], summary: 'Pause, resume, seek or change the speed of your own playback of a device recording (MANSRTSP INFO to the device)', params: SessionParams, body: ControlBody, response: responses({ 200: ControlView }) },
  }, async (request) => {
    const user = requireUser(request);
    const sessions = deps.sessions();
    if (!sessions) throw notFound('GB_PLAYBACK_NOT_FOUND', 'no such device playback');
    const session = sessions.owned(request.params.sessionId, user);
    if (!deps.playbacks.streamOf(session.id)) throw notFound('GB_PLAYBACK_NOT_FOUND', 'this playback session does not play from a device');
    const state = await deps.playbacks.control(session.id, request.body);
    await ctx.audit.append({
      action: 'gb28181.playback.control', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: session.cameraId,
      clientIp: request.ip, details: { sessionId: session.id, ...request.body, position: state.position },
    });
    return { sessionId: session.id, ...state };
  });
}

/**
 * `/media/gbvod/<sessionId>/index.m3u8` and `seg_<n>.ts`: the relay's HLS of a device playback, for the
 * session's own browser only (playback token + binding cookie, checked by PlaybackSessions like /media/vod).
 */
export function registerGbPlaybackMediaRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/media/gbvod/:sessionId/:file', {
    config: { access: 'signed-url' as const, rawResponse: true },
    logLevel: 'warn' as const,
    schema: { tags: ['media'], summary: 'HLS of a recording played from a GB/T 28181 device', params: MediaParams, querystring: TokenQuery, hide: true },
  }, async (request, reply) => {
    const { sessionId, file } = request.params;
    if (!SESSION_ID.test(sessionId)) throw badRequest('MEDIA_PATH_INVALID', 'not a playback session id');
    const kind = hlsFileKind(file);
    const sessions = deps.sessions();
    const relay = deps.relay();
    if (!sessions || !relay) throw notFound('GB_PLAYBACK_NOT_FOUND', 'no such device playback');
    const token = request.query.token;
    const session = await sessions.authorizeMedia(token, sessionId, request.headers.cookie);
    const streamId = deps.playbacks.streamOf(session.id);
    if (!streamId) throw notFound('GB_PLAYBACK_NOT_FOUND', 'this playback session does not play from a device');
    if (kind === 'playlist') {
      const playlist = await deps.playbacks.playlist(session.id, token!);
      if (playlist === undefined) throw notFound('MEDIA_NOT_FOUND', 'the device playback has no playlist (any more)');
      return reply.header('cache-control', 'no-store').type('application/vnd.apple.mpegurl').send(playlist);
    }
    const { handle, size } = await openHlsFile(relay.hlsRoot, streamId, file);
    reply.header('cache-control', 'private, max-age=60').header('content-length', size).type('video/mp2t');
    return reply.send(handle.createReadStream({ autoClose: true }));
  });
}
