import type { FastifyRequest } from 'fastify';

/**
 * Query parameters whose values are credentials: play tokens (`token=`), URL signatures (`sign=`,
 * `signature=`, `sig=`), and the usual access_token/api_key/password spellings. Matched on the decoded
 * name, case-insensitively, so `%74oken=` or `TOKEN=` are caught too.
 */
const SECRET_PARAM = /token|sign|^sig$|secret|passw|pwd|key|auth|jwt|credential|session/i;

export const REDACTED = '[redacted]';

const decodeName = (name: string): string => {
  try {
    return decodeURIComponent(name.replaceAll('+', ' '));
  } catch {
    return name;
  }
};

/**
 * The URL with every secret-bearing query value replaced by `[redacted]`; the path and other parameters
 * stay, so a log line still says what was asked for. Works on any route (and on no route: near-miss URLs
 * that match nothing are exactly the ones that reach the info log), whatever the route's own log level.
 */
export function scrubUrl(url: string): string {
  const hash = url.indexOf('#');
  const withoutHash = hash >= 0 ? url.slice(0, hash) : url;
  const q = withoutHash.indexOf('?');
  if (q < 0) return withoutHash;
  const pairs = withoutHash.slice(q + 1).split(/([&;])/).map((part) => {
    if (part === '&' || part === ';') return part;
    const eq = part.indexOf('=');
    if (eq < 0) return part;
    return SECRET_PARAM.test(decodeName(part.slice(0, eq))) ? `${part.slice(0, eq)}=${REDACTED}` : part;
  });
  return `${withoutHash.slice(0, q)}?${pairs.join('')}`;
}

/** pino serializer for `req` (fastify's "incoming request" line): fastify's fields, URL scrubbed. */
export function requestLogView(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: scrubUrl(request.url ?? ''),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
