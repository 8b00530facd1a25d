import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { viidUnauthorized, type ViidError } from './viid-status.ts';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The fields of an `Authorization: Digest …` header (RFC 2617), lower-cased keys. */
export function parseDigestHeader(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^Digest\s+/i.test(header)) return undefined;
  const fields: Record<string, string> = {};
  const pattern = /([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(pattern)) fields[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return fields;
}

/** RFC 2617 response with qop=auth: MD5(HA1:nonce:nc:cnonce:qop:HA2), HA1 = MD5(user:realm:password), HA2 = MD5(method:uri). */
export function digestResponse(o: { username: string; realm: string; password: string; method: string; uri: string; nonce: string; nc: string; cnonce: string; qop: string }): string {
  const ha1 = md5(`${o.username}:${o.realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  return md5(`${ha1}:${o.nonce}:${o.nc}:${o.cnonce}:${o.qop}:${ha2}`);
}

export interface DigestRequest {
  method: string;
  /** The request target as sent (path and query). */
  url: string;
  authorization: string | undefined;
}

/** Most outstanding nonces kept: a flood of unanswered challenges pushes the oldest out instead of growing memory. */
const MAX_NONCES = 50_000;

/**
 * HTTP Digest (MD5, qop="auth") for /VIID/System/Register. Nonces are ours, expire after ttlMs and are good
 * for one registration: a replayed Authorization header (same nonce) is refused, as is a wrong response,
 * a nonce we never issued, or a uri other than the request's. Every refusal carries a fresh challenge.
 */
export class DigestAuth {
  private readonly issued = new Map<string, number>();
  private readonly spent = new Map<string, number>();
  private readonly opaque = randomBytes(16).toString('hex');

  constructor(private readonly realm: string, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /** A WWW-Authenticate value with a new nonce. */
  challenge(stale = false): string {
    this.sweep();
    const nonce = randomBytes(24).toString('base64url');
    this.issued.set(nonce, this.now());
    if (this.issued.size > MAX_NONCES) this.issued.delete(this.issued.keys().next().value!);
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", opaque="${this.opaque}", algorithm=MD5${stale ? ', stale=true' : ''}`;
  }

  /**
   * Checks the request's digest against the password of the user it names (passwordOf resolves undefined for
   * unknown users); returns the username. Throws a 401 ViidError with a fresh challenge otherwise.
   */
  async verify(request: DigestRequest, passwordOf: (username: string) => Promise<string | undefined>): Promise<string> {
    const fail = (code: string, message: string, stale = false): ViidError => viidUnauthorized(code, message, this.challenge(stale));
    const f = parseDigestHeader(request.authorization);
    if (!f) throw fail('VIID_DIGEST_REQUIRED', 'register with HTTP Digest authentication');
    const { username, nonce, uri, response, cnonce, nc } = f;
    if (!username || !nonce || !uri || !response || !cnonce || !nc) throw fail('VIID_DIGEST_MALFORMED', 'the digest lacks username, nonce, uri, response, cnonce or nc');
    if (f.realm !== this.realm) throw fail('VIID_DIGEST_REALM', `the realm is "${this.realm}"`);
    if ((f.qop ?? '').toLowerCase() !== 'auth') throw fail('VIID_DIGEST_QOP', 'qop must be auth');
    if (f.algorithm && f.algorithm.toUpperCase() !== 'MD5') throw fail('VIID_DIGEST_ALGORITHM', 'only MD5 is offered');
    if (!/^[0-9a-f]{8}$/i.test(nc)) throw fail('VIID_DIGEST_MALFORMED', 'nc must be 8 hex digits');
    if (uri !== request.url) throw fail('VIID_DIGEST_URI', 'the digest uri is not this request\'s');
    if (this.spent.has(nonce)) throw fail('VIID_NONCE_REPLAYED', 'this nonce was already used; answer the new challenge');
    const issuedAt = this.issued.get(nonce);
    if (issuedAt === undefined) throw fail('VIID_NONCE_UNKNOWN', 'this nonce was not issued here (or is long expired); answer the new challenge', true);
    // One answer per nonce, right or wrong: a guesser needs a new challenge for every try.
    this.issued.delete(nonce);
    this.spent.set(nonce, this.now());
    if (this.now() - issuedAt > this.ttlMs) throw fail('VIID_NONCE_EXPIRED', 'the nonce expired; answer the new challenge', true);
    const password = await passwordOf(username);
    const expected = password === undefined ? undefined
      : digestResponse({ username, realm: this.realm, password, method: request.method, uri, nonce, nc, cnonce, qop: 'auth' });
    const given = Buffer.from(response.toLowerCase());
    if (!expected || given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) {
      throw fail('VIID_DIGEST_WRONG', 'unknown ID or wrong password');
    }
    return username;
  }

  private sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [nonce, at] of this.issued) {
      if (at >= cutoff) break;
      this.issued.delete(nonce);
    }
    for (const [nonce, at] of this.spent) {
      if (at >= cutoff) break;
      this.spent.delete(nonce);
    }
  }
}
