import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import { forbidden, HubError } from '../api/kernel/errors/hub-error.ts';
import { isCrossOrigin } from '../api/kernel/http/same-origin.ts';

interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
  accepted: boolean;
}

/**
 * WebSocket handshakes go through the fastify router like any other request, so the one route-access gate
 * and the route's own checks (play token, origin) run first. Only a handler that calls accept() completes
 * the handshake; any other answer (401, 403, 404, 426…) is written as a plain HTTP response and the socket
 * is closed. Nothing is read from viewers: messages are capped small.
 */
export class WebSocketUpgrades {
  private readonly pending = new WeakMap<IncomingMessage, PendingUpgrade>();
  private readonly server = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024, perMessageDeflate: false });
  private readonly sockets = new Set<Duplex>();

  constructor(private readonly app: FastifyInstance) {
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.route(req, socket, head));
    // fastify waits for the HTTP server to close; upgraded sockets are no longer its to close.
    app.addHook('preClose', async () => {
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private route(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const upgrade: PendingUpgrade = { socket, head, accepted: false };
    this.pending.set(req, upgrade);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Parameters<ServerResponse['assignSocket']>[0]);
    // A refusal is an ordinary HTTP answer; after it the socket has no HTTP parser left, so it ends.
    res.on('finish', () => { if (!upgrade.accepted) socket.end(); });
    try {
      this.app.routing(req, res);
    } catch {
      socket.destroy();
    }
  }

  /** True when this request is a WebSocket handshake (not a plain GET of the same URL). */
  isUpgrade(request: FastifyRequest): boolean {
    return this.pending.has(request.raw);
  }

  /**
   * Refuses a handshake from a page of another site, as the hub refuses cross-origin writes: a browser
   * always sends Origin on a WebSocket, and cookies or not, a foreign page must not open one.
   */
  assertSameOrigin(request: FastifyRequest): void {
    if (isCrossOrigin(request.headers.origin, request.headers.host)) {
      throw forbidden('CROSS_ORIGIN_REFUSED', 'WebSockets from another origin are refused');
    }
  }

  /** Completes the handshake; undefined when the client went away or sent a malformed handshake. */
  accept(request: FastifyRequest, reply: FastifyReply): Promise<WebSocket | undefined> {
    const upgrade = this.pending.get(request.raw);
    if (!upgrade) throw new HubError('WEBSOCKET_REQUIRED', 'this URL takes a WebSocket handshake', 426);
    upgrade.accepted = true;
    reply.hijack();
    return new Promise((resolve) => {
      // ws answers a bad handshake with 400 itself and never calls back; the socket's close settles it.
      const gone = () => resolve(undefined);
      upgrade.socket.once('close', gone);
      this.server.handleUpgrade(request.raw, upgrade.socket, upgrade.head, (socket) => {
        upgrade.socket.off('close', gone);
        resolve(socket);
      });
    });
  }
}
