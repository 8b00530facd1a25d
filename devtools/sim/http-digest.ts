import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const NONCE_LIFETIME_MS = 5 * 60_000;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * HTTP Digest authentication (RFC 7616, MD5, qop=auth) as cameras use for snapshot URLs.
 * Nonces are issued by the server and expire; a request replaying an old nonce count is refused.
 */
export class HttpDigestGuard {
  private readonly nonces = new Map<string, { issuedAt: number; lastCount: number }>();

  constructor(
    private readonly realm: string,
    private readonly username: string,
    private readonly password: string,
  ) {}

  /** True when the request carries valid credentials; otherwise answers 401 with a fresh challenge. */
  check(req: IncomingMessage, res: ServerResponse): boolean {
    const verdict = this.verify(req);
    if (verdict === 'ok') return true;
    const nonce = randomBytes(16).toString('hex');
    this.nonces.set(nonce, { issuedAt: Date.now(), lastCount: 0 });
    this.forgetExpired();
    res.writeHead(401, {
      'WWW-Authenticate': `Digest realm="${this.realm}", qop="auth", algorithm=MD5, nonce="${nonce}"${verdict === 'stale' ? ', stale=true' : ''}`,
      'Content-Type': 'text/plain',
    });
    res.end('401 Unauthorized');
    return false;
  }

  private verify(req: IncomingMessage): 'ok' | 'stale' | 'denied' {
    const header = req.headers.authorization ?? '';
    if (!/^digest /i.test(header)) return 'denied';
    const fields = parseDigestFields(header.slice(7));
    const { username, realm, nonce, uri, response, qop, nc, cnonce } = fields;
    if (!username || !nonce || !uri || !response || realm !== this.realm || uri !== req.url) return 'denied';
    const known = this.nonces.get(nonce);
    if (!known || Date.now() - known.issuedAt > NONCE_LIFETIME_MS) return 'stale';
    const ha1 = md5(`${this.username}:${this.realm}:${this.password}`);
    const ha2 = md5(`${req.method}:${uri}`);
    const expected = qop === 'auth' ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    const matches = response.length === expected.length && timingSafeEqual(Buffer.from(response), Buffer.from(expected));
    if (!matches || username !== this.username) return 'denied';
    if (qop === 'auth') {
      const count = Number.parseInt(nc ?? '', 16);
      if (!Number.isFinite(count) || count <= known.lastCount) return 'denied';
      known.lastCount = count;
    }
    return 'ok';
  }

  private forgetExpired(): void {
    const horizon = Date.now() - NONCE_LIFETIME_MS;
    for (const [nonce, { issuedAt }] of this.nonces) {
      if (issuedAt >= horizon) break;
      this.nonces.delete(nonce);
    }
  }
}

/** `a="b", c=d` pairs of an Authorization or WWW-Authenticate header. */
export function parseDigestFields(text: string): Record<string, string | undefined> {
  const fields: Record<string, string> = {};
  for (const match of text.matchAll(/([a-zA-Z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    fields[match[1]!.toLowerCase()] = match[2] ?? match[3] ?? '';
  }
  return fields;
}

/** Client side of the same scheme, for tests and tools talking to the simulator. */
export function digestAuthorization(challenge: string, method: string, uri: string, username: string, password: string, nc = 1): string {
  const { realm = '', nonce = '', qop } = parseDigestFields(challenge.replace(/^digest /i, ''));
  const cnonce = randomBytes(8).toString('hex');
  const count = nc.toString(16).padStart(8, '0');
  const ha1 = md5(`${username}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const useQop = qop?.split(',').map((q) => q.trim()).includes('auth');
  const response = useQop ? md5(`${ha1}:${nonce}:${count}:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const qopPart = useQop ? `, qop=auth, nc=${count}, cnonce="${cnonce}"` : '';
  return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}"${qopPart}`;
}
