import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { notFound, unavailable } from '../../api/errors/hub-error.ts';
import type { RelayConfig } from '../relay-config.ts';
import type { EmbeddedMediaServer } from './embedded-media-server.ts';
import { assertMediaStreamId, hlsFileKind, openHlsFile, signPlaylist } from './media-files.ts';
import type { PlaySessions } from './play-sessions.ts';
import type { StreamHub } from './stream-hub.ts';

// Loose shapes here; the handlers validate ids and names themselves so every refusal has a stable code.
const HlsParams = Type.Object({ streamId: Type.String({ maxLength: 512 }), file: Type.String({ maxLength: 512 }) });
const FlvParams = Type.Object({ streamId: Type.String({ maxLength: 512 }) });
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 4_096 })) });

/**
 * What a <video> (through hls.js / mpegts.js) fetches. Access is 'signed-url': the play token in the query
 * is checked on every request (signature, expiry, live session, same camera). Request logging is lowered
 * to warn here so URLs carrying tokens do not reach the info log.
 */
export function registerMediaRoutes(app: FastifyInstance, deps: { config: RelayConfig; hub: StreamHub; sessions: PlaySessions; media: EmbeddedMediaServer }): void {
  const { config, hub, sessions, media } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const openFlv = new Set<() => void>();

  // fastify waits for in-flight requests on close; endless FLV responses must end first.
  app.addHook('preClose', async () => {
    for (const close of [...openFlv]) close();
  });

  r.get('/media/hls/:streamId/:file', {
    config: { access: 'signed-url', rawResponse: true },
    logLevel: 'warn',
    schema: { tags: ['media'], summary: 'HLS playlist (index.m3u8) or segment (seg_<n>.ts) of a play session', params: HlsParams, querystring: TokenQuery, hide: true },
  }, async (request, reply) => {
    const { streamId, file } = request.params;
    assertMediaStreamId(streamId);
    const kind = hlsFileKind(file);
    const token = request.query.token;
    await sessions.authorizeMedia(token, streamId);
    const stream = hub.stream(streamId);
    if (!stream) throw notFound('STREAM_NOT_RUNNING', 'this camera is not being relayed; start playing again');
    // A fresh stream has no playlist for a second or two: hold the request instead of a 404 the player retries.
    if (kind === 'playlist' && !stream.hasPlaylist && !(await stream.waitForPlaylist(config.startTimeoutSeconds * 1_000))) {
      throw unavailable('STREAM_STARTING', 'the camera has not delivered video yet; try again shortly');
    }
    const opened = await openHlsFile(hub.hlsRoot, streamId, file);
    if (opened.kind === 'playlist') {
      const text = await opened.handle.readFile('utf8').finally(() => opened.handle.close());
      return reply.header('cache-control', 'no-store').type('application/vnd.apple.mpegurl').send(signPlaylist(text, token!));
    }
    reply.header('cache-control', 'private, max-age=60').header('content-length', opened.size).type('video/mp2t');
    return reply.send(opened.handle.createReadStream({ autoClose: true }));
  });

  r.get('/media/flv/:streamId.flv', {
    config: { access: 'signed-url', rawResponse: true },
    logLevel: 'warn',
    schema: { tags: ['media'], summary: 'HTTP-FLV live stream of a play session (low latency, starts on a key frame)', params: FlvParams, querystring: TokenQuery, hide: true },
  }, async (request, reply) => {
    const { streamId } = request.params;
    assertMediaStreamId(streamId);
    const session = await sessions.authorizeMedia(request.query.token, streamId);
    const stream = hub.stream(streamId);
    if (!stream) throw notFound('STREAM_NOT_RUNNING', 'this camera is not being relayed; start playing again');
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'video/x-flv', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    const viewer = media.attachFlvViewer(stream.mediaName, res);
    if (!viewer) {
      res.end();
      return;
    }
    const close = () => viewer.close(true);
    openFlv.add(close);
    viewer.onClose(() => openFlv.delete(close));
    sessions.attachFlv(session, viewer);
  });
}
