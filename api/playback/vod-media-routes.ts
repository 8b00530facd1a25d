import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { badRequest, notFound } from '../kernel/errors/hub-error.ts';
import type { RecordingIndex } from '../../recording/recording-index.ts';
import type { PlaybackSessions } from './playback-sessions.ts';
import { segmentIdOf, vodPlaylist } from './vod-playlist.ts';

const VodParams = Type.Object({ sessionId: Type.String({ maxLength: 128 }), file: Type.String({ maxLength: 256 }) });
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 4_096 })) });
const SESSION_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The VOD side of playback: `/media/vod/<sessionId>/index.m3u8` (the session's range from the recording
 * index) and `/media/vod/<sessionId>/<segmentId>.ts` (one recorded segment of that camera and range). Access
 * is 'signed-url': each request carries the playback token and the session's binding cookie, and once the
 * session ends (revocation included) every further fetch is refused. A segment whose file vanished behind
 * the hub's back is marked missing in the index and answered 404 PLAYBACK_SEGMENT_MISSING.
 */
export function registerVodMediaRoutes(app: FastifyInstance, deps: { recordingsRoot: string; index: RecordingIndex; sessions: PlaybackSessions; log: Pick<Logger, 'warn'> }): void {
  const { index, sessions } = deps;
  const root = resolve(deps.recordingsRoot);
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/media/vod/:sessionId/:file', {
    config: { access: 'signed-url' as const, rawResponse: true },
    logLevel: 'warn' as const,
    schema: { tags: ['media'], summary: 'HLS VOD playlist or recorded segment of a playback session', params: VodParams, querystring: TokenQuery, hide: true },
  }, async (request, reply) => {
    const { sessionId, file } = request.params;
    if (!SESSION_ID.test(sessionId)) throw badRequest('MEDIA_PATH_INVALID', 'not a playback session id');
    const segmentId = file === 'index.m3u8' ? undefined : segmentIdOf(file);
    if (file !== 'index.m3u8' && !segmentId) throw badRequest('MEDIA_PATH_INVALID', 'playback files are index.m3u8 or <segment id>.ts');
    const token = request.query.token;
    const session = await sessions.authorizeMedia(token, sessionId, request.headers.cookie);
    if (!segmentId) {
      const segments = await index.segmentsBetween(session.cameraId, session.from, session.to);
      return reply.header('cache-control', 'no-store').type('application/vnd.apple.mpegurl')
        .send(vodPlaylist(segments, `?token=${encodeURIComponent(token!)}`));
    }
    const segment = await index.segment(segmentId);
    // Only segments of the session's camera and range: a token for one range opens nothing else.
    if (!segment || segment.cameraId !== session.cameraId || segment.endedAt <= session.from || segment.startedAt >= session.to || segment.state === 'missing') {
      throw notFound('PLAYBACK_SEGMENT_NOT_FOUND', 'no such segment in this playback session');
    }
    const path = resolve(root, segment.path);
    if (!path.startsWith(root + sep)) throw notFound('PLAYBACK_SEGMENT_NOT_FOUND', 'no such segment in this playback session');
    const info = await lstat(path).catch(() => undefined);
    const handle = info?.isFile() ? await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined) : undefined;
    if (!handle) {
      await index.markState(segment.id, 'missing').catch((error: unknown) => deps.log.warn({ err: error }, 'playback: marking a vanished segment missing failed'));
      throw notFound('PLAYBACK_SEGMENT_MISSING', 'this recorded segment is no longer on disk; it is now shown as a gap');
    }
    const size = (await handle.stat()).size;
    reply.header('cache-control', 'private, max-age=300').header('content-length', size).type(segment.format === 'fmp4' ? 'video/mp4' : 'video/mp2t');
    return reply.send(handle.createReadStream({ autoClose: true }));
  });
}
