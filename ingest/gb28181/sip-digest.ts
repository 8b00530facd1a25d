import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** The parameters of a `Digest k="v", k2=v2` header; undefined when it is not Digest. */
export function parseDigest(header: string | undefined): Record<string, string> | undefined {
  if (!header || !/^\s*Digest\s/i.test(header)) return undefined;
  const out: Record<string, string> = {};
  const body = header.replace(/^\s*Digest\s+/i, '');
  for (const m of body.matchAll(/([A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.){0,512})"|([^\s,]{0,512}))/g)) {
    out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  return out;
}

/** The digest response RFC 2617 defines (MD5, with or without qop=auth), as GB/T 28181 devices compute it. */
export function digestResponse(o: { username: string; realm: string; password: string; method: string; uri: string; nonce: string; qop?: string; nc?: string; cnonce?: string }): string {
  const ha1 = md5(`${o.username}:${o.realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  return o.qop ? md5(`${ha1}:${o.nonce}:${o.nc}:${o.cnonce}:${o.qop}:${ha2}`) : md5(`${ha1}:${o.nonce}:${ha2}`);
}

/** A fresh nonce (32 hex digits, as wvp sends). */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function challengeHeader(realm: string, nonce: string): string {
  return `Digest realm="${realm}",qop="auth",nonce="${nonce}",algorithm=MD5`;
}

/** Whether an Authorization header proves the password for this method (any username the device chose, as wvp). */
export function verifyDigest(auth: Record<string, string>, o: { realm: string; password: string; method: string }): boolean {
  if (!auth.response || !auth.nonce || !auth.uri || auth.username === undefined) return false;
  if (auth.algorithm && auth.algorithm.toUpperCase() !== 'MD5') return false;
  if (auth.qop && (auth.qop !== 'auth' || !auth.nc || !auth.cnonce)) return false;
  const expected = digestResponse({
    username: auth.username, realm: auth.realm ?? o.realm, password: o.password, method: o.method, uri: auth.uri,
    nonce: auth.nonce, qop: auth.qop, nc: auth.nc, cnonce: auth.cnonce,
  });
  const given = Buffer.from(auth.response.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}
