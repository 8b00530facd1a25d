import { Type, type TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { HubError, notFound, unavailable } from '../api/kernel/errors/hub-error.ts';
import type { RelayConfig } from './relay-config.ts';
import type { EmbeddedMediaServer } from './embedded-media-server.ts';
import type { FlvSink } from './flv-sink.ts';
import { HttpFlvSink } from './http-flv-sink.ts';
import { hlsFileKind, openHlsFile, signPlaylist } from './media-files.ts';
import type { PlaySession } from './play-session.ts';
import type { PlaySessions } from './play-sessions.ts';
import { assertStreamId, type RelayPool } from './relay-pool.ts';
import { WebSocketUpgrades } from './websocket-upgrades.ts';
import { WsFlvSink } from './ws-flv-sink.ts';

// Loose shapes here; the handlers validate ids and names themselves so every refusal has a stable code.
const HlsParams = Type.Object({ streamId: Type.String({ maxLength: 512 }), file: Type.String({ maxLength: 512 }) });
const FlvParams = Type.Object({ streamId: Type.String({ maxLength: 512 }) });
const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 4_096 })) });

/** The options every media URL has: play-token access, a raw response, warn-level logging, hidden from the API docs. */
const mediaRoute = <P extends TSchema>(summary: string, params: P) => ({
  config: { access: 'signed-url' as const, rawResponse: true },
  logLevel: 'warn' as const,
  schema: { tags: ['media'], summary, params, querystring: TokenQuery, hide: true },
});

/**
 * What a <video> (through hls.js / mpegts.js) fetches. Access is 'signed-url': the play token in the query
 * is checked on every request (signature, expiry, live session, same camera). Request logging is lowered
 * to warn here so URLs carrying tokens do not reach the info log.
 */
export function registerMediaRoutes(app: FastifyInstance, deps: { config: RelayConfig; relays: RelayPool; sessions: PlaySessions; media: EmbeddedMediaServer }): void {
  const { config, relays, sessions, media } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const openFlv = new Set<() => void>();
  const upgrades = new WebSocketUpgrades(app);

  // fastify waits for in-flight requests on close; endless FLV responses must end first.
  app.addHook('preClose', async () => {
    for (const close of [...openFlv]) close();
  });

  /** Starts an FLV viewer on a sink for a session whose token was checked; the session can cut it. */
  const attachViewer = (session: PlaySession, mediaName: string, sink: FlvSink): boolean => {
    const viewer = media.attachFlvViewer(mediaName, sink);
    if (!viewer) return false;
    const close = () => viewer.close(true);
    openFlv.add(close);
    viewer.onClose(() => openFlv.delete(close));
    sessions.attachFlv(session, viewer);
    return true;
  };

  const runningStream = (streamId: string) => {
    const stream = relays.stream(streamId);
    if (!stream) throw notFound('STREAM_NOT_RUNNING', 'this camera is not being relayed; start playing again');
    return stream;
  };

  r.get('/media/hls/:streamId/:file', mediaRoute('HLS playlist (index.m3u8) or segment (seg_<n>.ts) of a play session', HlsParams), async (request, reply) => {
    const { streamId, file } = request.params;
    assertStreamId(streamId, 'MEDIA_PATH_INVALID');
    const kind = hlsFileKind(file);
    const token = request.query.token;
    await sessions.authorizeMedia(token, streamId, request.headers.cookie);
    const stream = runningStream(streamId);
    // A fresh stream has no playlist for a second or two: hold the request instead of a 404 the player retries.
    if (kind === 'playlist' && !stream.hasPlaylist && !(await stream.waitForPlaylist(config.startTimeoutSeconds * 1_000))) {
      throw unavailable('STREAM_STARTING', 'the camera has not delivered video yet; try again shortly');
    }
    const opened = await openHlsFile(relays.hlsRoot, streamId, file);
    if (opened.kind === 'playlist') {
      const text = await opened.handle.readFile('utf8').finally(() => opened.handle.close());
      return reply.header('cache-control', 'no-store').type('application/vnd.apple.mpegurl').send(signPlaylist(text, token!));
    }
    reply.header('cache-control', 'private, max-age=60').header('content-length', opened.size).type('video/mp2t');
    return reply.send(opened.handle.createReadStream({ autoClose: true }));
  });

  r.get('/media/flv/:streamId.flv', mediaRoute('HTTP-FLV live stream of a play session (low latency, starts on a key frame)', FlvParams), async (request, reply) => {
    const { streamId } = request.params;
    assertStreamId(streamId, 'MEDIA_PATH_INVALID');
    const session = await sessions.authorizeMedia(request.query.token, streamId, request.headers.cookie);
    const stream = runningStream(streamId);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'video/x-flv', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    if (!attachViewer(session, stream.mediaName, new HttpFlvSink(res))) res.end();
  });

  // The same FLV over a WebSocket (mpegts.js reads ws:// URLs): same token rules, same revocation cut.
  r.get('/media/wsflv/:streamId.flv', mediaRoute('WS-FLV live stream of a play session (WebSocket handshake; one FLV tag per binary message)', FlvParams), async (request, reply) => {
    const { streamId } = request.params;
    assertStreamId(streamId, 'MEDIA_PATH_INVALID');
    upgrades.assertSameOrigin(request);
    const session = await sessions.authorizeMedia(request.query.token, streamId, request.headers.cookie);
    if (!upgrades.isUpgrade(request)) throw new HubError('WEBSOCKET_REQUIRED', 'this URL takes a WebSocket handshake; use flvUrl for HTTP-FLV', 426);
    const stream = runningStream(streamId);
    const socket = await upgrades.accept(request, reply);
    if (!socket) return;
    // The session may have ended while the handshake ran.
    if (!sessions.get(session.id) || !attachViewer(session, stream.mediaName, new WsFlvSink(socket))) socket.terminate();
  });
}
