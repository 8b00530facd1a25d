import { isIP, type Socket } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors/hub-error.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A Server-Sent Events route: counted against http.maxEventStreamsPerUser while open. */
    eventStream?: boolean;
  }
}

/**
 * Issue 13 #14: one request budget per minute for the whole API, per user when logged in (the route
 * gate has set request.user by the time this runs) and per source address otherwise. Media routes
 * ('signed-url': HLS playlists and segments, FLV) are exempt: a player fetches a segment every few
 * seconds, many viewers share a NAT, and each play URL was already authorized and audited. So are the
 * internal media hops between cluster nodes ('cluster-node'): one node carries many viewers' fetches.
 */
export async function installApiRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => (request.user ? `user:${request.user.id}` : `ip:${request.ip}`),
    allowList: (request) => request.routeOptions.config?.access === 'signed-url' || request.routeOptions.config?.access === 'cluster-node',
    errorResponseBuilder: (_request, context) =>
      new HubError('RATE_LIMITED', `too many requests: at most ${context.max} per minute; retry in ${context.after}`, 429),
  });
}

/** At most `cap` open event streams per user (each holds a socket and a subscription until the client leaves). */
export function installEventStreamCap(app: FastifyInstance, cap: number): void {
  const open = new Map<string, number>();
  app.addHook('preHandler', async (request, reply) => {
    if (!request.routeOptions.config?.eventStream || !request.user) return;
    const userId = request.user.id;
    const count = open.get(userId) ?? 0;
    if (count >= cap) throw new HubError('TOO_MANY_EVENT_STREAMS', `at most ${cap} open event streams per user; close one first`, 429);
    open.set(userId, count + 1);
    // The response closes when the client leaves or the hub ends the stream, whichever comes first.
    reply.raw.once('close', () => {
      const left = (open.get(userId) ?? 1) - 1;
      if (left <= 0) open.delete(userId);
      else open.set(userId, left);
    });
  });
}

/**
 * With http.publicUrl set, requests must name the hub by that host (or one of http.allowedHosts):
 * a forged Host cannot steer links the hub builds, and DNS-rebinding pages cannot reach it by another
 * name. The literal address:port a connection arrived at is accepted too (health checks by IP; a rebinding
 * page cannot use an IP literal as its origin's host). Without publicUrl (tests, the demo) any Host is accepted.
 */
export function installHostCheck(app: FastifyInstance, publicUrl: string, allowedHosts: readonly string[]): void {
  if (!publicUrl) return;
  const accepted = new Set<string>();
  const add = (raw: string) => {
    const url = new URL(raw.includes('://') ? raw : `http://${raw}`);
    const host = url.hostname.toLowerCase();
    const defaultPort = url.protocol === 'https:' ? '443' : '80';
    const port = url.port || (raw.includes('://') ? defaultPort : '');
    accepted.add(port ? `${host}:${port}` : host);
    if (!port || port === defaultPort) accepted.add(host);
    if (port === defaultPort) accepted.add(`${host}:${defaultPort}`);
  };
  add(publicUrl);
  for (const host of allowedHosts) add(host);
  app.addHook('onRequest', async (request) => {
    const host = (request.headers.host ?? '').toLowerCase();
    if (accepted.has(host) || host === localAddress(request.socket)) return;
    throw new HubError('HOST_NOT_ALLOWED', 'this hub answers only at its configured public address', 421);
  });
}

/** `address:port` the connection arrived at, as a Host header would spell it (`[::1]:8080`). */
function localAddress(socket: Socket): string {
  const address = socket.localAddress ?? '';
  const bare = address.startsWith('::ffff:') ? address.slice(7) : address;
  return `${isIP(bare) === 6 ? `[${bare}]` : bare}:${socket.localPort ?? ''}`;
}
