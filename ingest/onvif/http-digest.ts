import { createHash, randomBytes } from 'node:crypto';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  qop?: string;
  opaque?: string;
  algorithm?: string;
}

const md5 = (value: string) => createHash('md5').update(value).digest('hex');

/** The Digest challenge of a WWW-Authenticate header (HTTP or RTSP), if it offers one. */
export function parseDigestChallenge(header: string | null | undefined): DigestChallenge | undefined {
  if (!header) return undefined;
  const start = header.search(/Digest\s/i);
  if (start < 0) return undefined;
  const params: Record<string, string> = {};
  const pattern = /(\w+)=(?:"([^"]*)"|([^\s,]*))/g;
  for (const match of header.slice(start + 7).matchAll(pattern)) {
    const key = match[1]!.toLowerCase();
    if (key === 'basic') break;
    params[key] ??= match[2] ?? match[3] ?? '';
  }
  if (params.realm === undefined || !params.nonce) return undefined;
  return { realm: params.realm, nonce: params.nonce, qop: params.qop, opaque: params.opaque, algorithm: params.algorithm };
}

/**
 * Authorization header answering a Digest challenge (RFC 2617/7616, MD5, qop=auth when offered).
 * `uri` is the request-target as sent (path for HTTP, the full rtsp:// URL for RTSP).
 */
export function digestAuthorization(challenge: DigestChallenge, method: string, uri: string, username: string, password: string, nonceCount = 1): string {
  const ha1 = md5(`${username}:${challenge.realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const parts = [`username="${username}"`, `realm="${challenge.realm}"`, `nonce="${challenge.nonce}"`, `uri="${uri}"`];
  const qopAuth = challenge.qop?.split(',').map((q) => q.trim()).includes('auth');
  if (qopAuth) {
    const nc = nonceCount.toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    parts.push(`qop=auth`, `nc=${nc}`, `cnonce="${cnonce}"`, `response="${md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`);
  } else {
    parts.push(`response="${md5(`${ha1}:${challenge.nonce}:${ha2}`)}"`);
  }
  if (challenge.opaque !== undefined) parts.push(`opaque="${challenge.opaque}"`);
  if (challenge.algorithm) parts.push(`algorithm=${challenge.algorithm}`);
  return `Digest ${parts.join(', ')}`;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}
