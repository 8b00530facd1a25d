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
import type { ClusterRelay } from './cluster/cluster-relay.ts';
import { ProxiedFlv } from './cluster/proxied-flv.ts';

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
export function registerMediaRoutes(app: FastifyInstance, deps: { config: RelayConfig; relays: RelayPool; sessions: PlaySessions; media: EmbeddedMediaServer; cluster?: ClusterRelay }): void {
  const { config, relays, sessions, media, cluster } = deps;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const openFlv = new Set<() => void>();
  const upgrades = new WebSocketUpgrades(app);

  // fastify waits for in-flight requests on close; endless FLV responses must end first.
  app.addHook('preClose', async () => {
    for (const close of [...openFlv]) close();
  });

  /** Starts an FLV viewer on a sink for a session whose token was checked; the session can cut it. */
  const attachViewer = (session: PlaySession, mediaName: string, sink: FlvSink, onClose?: () => void): boolean => {
    const viewer = media.attachFlvViewer(mediaName, sink);
    if (!viewer) {
      onClose?.();
      return false;
    }
    if (onClose) viewer.onClose(onClose);
    const close = () => viewer.close(true);
    openFlv.add(close);
    viewer.onClose(() => openFlv.delete(close));
    sessions.attachFlv(session, viewer);
    return true;
  };

  /** In a cluster: the camera is pulled by another node, so this request goes through it. */
  const elsewhere = (streamId: string) => cluster !== undefined && !cluster.owns(streamId);

  /** The owner node's FLV stream of a camera (the internal hop), still to be attached to a viewer. */
  const ownerFlv = async (streamId: string) => {
    const abort = new AbortController();
    return { abort, upstream: await cluster!.fromOwner(streamId, `flv/${streamId}.flv`, abort.signal) };
  };

  /** Writes the owner's stream to the viewer's sink; the session cuts it like a local viewer. */
  const attachProxied = (session: PlaySession, owner: { abort: AbortController; upstream: Response }, sink: FlvSink) => {
    const proxied = new ProxiedFlv(owner.upstream, owner.abort, sink);
    const close = () => proxied.close(true);
    openFlv.add(close);
    proxied.onClose(() => openFlv.delete(close));
    sessions.attachFlv(session, proxied);
    proxied.start();
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
    if (elsewhere(streamId)) {
      const upstream = await cluster!.fromOwner(streamId, `hls/${streamId}/${file}`, AbortSignal.timeout(config.startTimeoutSeconds * 1_000 + 5_000));
      if (kind === 'playlist') return reply.header('cache-control', 'no-store').type('application/vnd.apple.mpegurl').send(signPlaylist(await upstream.text(), token!));
      reply.header('cache-control', 'private, max-age=60').type('video/mp2t');
      const length = upstream.headers.get('content-length');
      if (length) reply.header('content-length', length);
      return reply.send(Buffer.from(await upstream.arrayBuffer()));
    }
    await cluster?.demand.touch(streamId, 'local');
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
    const head = { 'content-type': 'video/x-flv', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (elsewhere(streamId)) {
      const owner = await ownerFlv(streamId);
      reply.hijack();
      reply.raw.writeHead(200, head);
      attachProxied(session, owner, new HttpFlvSink(reply.raw));
      return;
    }
    const demandEnded = await cluster?.demand.openStream(streamId, 'local');
    const stream = runningStream(streamId);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, head);
    if (!attachViewer(session, stream.mediaName, new HttpFlvSink(res), demandEnded)) res.end();
  });

  // The same FLV over a WebSocket (mpegts.js reads ws:// URLs): same token rules, same revocation cut.
  r.get('/media/wsflv/:streamId.flv', mediaRoute('WS-FLV live stream of a play session (WebSocket handshake; one FLV tag per binary message)', FlvParams), async (request, reply) => {
    const { streamId } = request.params;
    assertStreamId(streamId, 'MEDIA_PATH_INVALID');
    upgrades.assertSameOrigin(request);
    const session = await sessions.authorizeMedia(request.query.token, streamId, request.headers.cookie);
    if (!upgrades.isUpgrade(request)) throw new HubError('WEBSOCKET_REQUIRED', 'this URL takes a WebSocket handshake; use flvUrl for HTTP-FLV', 426);
    if (elsewhere(streamId)) {
      // The owner's stream is opened first, so a refusal is still an HTTP answer; the handshake follows.
      const owner = await ownerFlv(streamId);
      const socket = await upgrades.accept(request, reply);
      if (!socket || !sessions.get(session.id)) {
        owner.abort.abort();
        socket?.terminate();
        return;
      }
      attachProxied(session, owner, new WsFlvSink(socket));
      return;
    }
    const demandEnded = await cluster?.demand.openStream(streamId, 'local');
    const stream = runningStream(streamId);
    const socket = await upgrades.accept(request, reply);
    if (!socket) {
      demandEnded?.();
      return;
    }
    // The session may have ended while the handshake ran.
    if (!sessions.get(session.id) || !attachViewer(session, stream.mediaName, new WsFlvSink(socket), demandEnded)) socket.terminate();
  });
}
