import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Cookies of play sessions are named `hub_play_<sessionId>` and only ever sent to the media routes. */
const COOKIE_PREFIX = 'hub_play_';
const COOKIE_PATH = '/media/';

/**
 * Ties a play session's URLs to the browser that started it (issue 13 #13). The play answer sets an
 * HttpOnly, SameSite=Strict cookie for `/media/` holding a random per-session key; every media request of
 * the session must carry it besides the token. hls.js (XHR), mpegts.js (fetch) and the WS-FLV handshake
 * all send same-origin cookies by themselves, so the player needs no change; a play URL replayed from
 * another browser or a script that only saw the URL lacks the cookie. The key lives in memory only, with
 * the session; requests are compared by hash in constant time.
 */
export class PlayBinding {
  private readonly key = randomBytes(32).toString('base64url');
  private readonly keyHash = hash(this.key);

  constructor(private readonly sessionId: string) {}

  get cookieName(): string {
    return `${COOKIE_PREFIX}${this.sessionId}`;
  }

  /** True when the request's Cookie header holds this session's key. */
  matches(cookieHeader: string | undefined): boolean {
    const key = cookieValue(cookieHeader, this.cookieName);
    return key !== undefined && timingSafeEqual(hash(key), this.keyHash);
  }

  /** Set-Cookie value giving the browser the key, for as long as the newest token (renewed with it). */
  cookie(maxAgeSeconds: number, secure: boolean): string {
    return this.attributes(this.key, Math.max(1, Math.ceil(maxAgeSeconds)), secure);
  }

  /** Set-Cookie value that removes the cookie (the viewer stopped). */
  cleared(secure: boolean): string {
    return this.attributes('', 0, secure);
  }

  private attributes(value: string, maxAge: number, secure: boolean): string {
    return [`${this.cookieName}=${value}`, `Path=${COOKIE_PATH}`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
  }
}

function hash(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 16_384) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}
