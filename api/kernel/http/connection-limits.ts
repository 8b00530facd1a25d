import { BlockList, isIP, type Socket } from 'node:net';
import type { Server, ServerOptions } from 'node:http';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { HttpConfig } from './http-config.ts';

/**
 * Timeouts that end slow clients (issue 13 #6: a login body trickling one byte per 10 s stayed open
 * for minutes): the whole request, body included, must arrive within requestTimeoutSeconds, headers within
 * headersTimeoutSeconds; idle keep-alive and silent sockets are closed. Node checks these timers every
 * `connectionsCheckingInterval` (30 s by default, which would double a short timeout), so it is derived.
 */
export function timeoutOptions(http: HttpConfig): Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout' | 'clientErrorHandler'> & { http: ServerOptions } {
  const requestMs = http.requestTimeoutSeconds * 1_000;
  return {
    requestTimeout: requestMs,
    // fastify treats 0 as "its default" (also 0): no idle cut when the operator says 0.
    connectionTimeout: http.connectionTimeoutSeconds * 1_000,
    keepAliveTimeout: http.keepAliveTimeoutSeconds * 1_000,
    http: {
      headersTimeout: Math.min(http.headersTimeoutSeconds * 1_000, requestMs),
      connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(requestMs / 4))),
    },
    clientErrorHandler: answerClientError,
  };
}

/** Parse errors and timeouts answered as `{ code, message }` like every other refusal, then closed. */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'REQUEST_TIMEOUT', 'the request did not arrive in time']
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'request headers too large']
      : [400, 'BAD_REQUEST', 'malformed HTTP request'];
  if (socket.writable) socket.write(rawResponse(status, code, message));
  socket.destroy();
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 429: 'Too Many Requests', 431: 'Request Header Fields Too Large' };

function rawResponse(status: number, code: string, message: string, extra = ''): string {
  const body = JSON.stringify({ code, message });
  return `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extra}\r\n${body}`;
}

/** A BlockList of the configured trusted proxies (addresses and CIDRs), for the checks below. */
export function proxyList(trustProxy: HttpConfig['trustProxy']): BlockList {
  const list = new BlockList();
  for (const entry of trustProxy || []) {
    const [address, bits] = entry.split('/');
    const family = isIP(address!) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address!, family);
    else list.addSubnet(address!, Number(bits), family);
  }
  return list;
}

const familyOf = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/**
 * At most `maxPerIp` open connections per client address, counted at the socket (a slow client never
 * completes a request, so a request hook would never see it). The N+1th gets 429 and is closed. Trusted
 * proxies are exempt: their connections carry many clients, who are limited by request-level rules.
 */
export function installConnectionCap(server: Server, maxPerIp: number, proxies: BlockList, log: FastifyBaseLogger): void {
  const open = new Map<string, number>();
  let lastWarnAt = 0;
  // Prepended, so a refused socket never reaches the HTTP parser's bookkeeping as a live client.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (!address || proxies.check(address, familyOf(address))) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > maxPerIp) {
      if (Date.now() - lastWarnAt > 10_000) {
        lastWarnAt = Date.now();
        log.warn({ clientIp: address, maxConnectionsPerIp: maxPerIp }, 'connection refused: too many open connections from one address');
      }
      socket.end(rawResponse(429, 'TOO_MANY_CONNECTIONS', `at most ${maxPerIp} open connections per address`, 'Retry-After: 5\r\n'));
      socket.destroySoon();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
