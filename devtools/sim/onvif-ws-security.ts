import { createHash, timingSafeEqual } from 'node:crypto';
import { attribute, child, text, type XmlNode } from './onvif-soap.ts';

const PASSWORD_DIGEST_TYPE = /#PasswordDigest$/;
const MAX_CLOCK_DIFFERENCE_MS = 5 * 60_000;

export type UsernameTokenVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks a WS-Security UsernameToken as ONVIF devices do: PasswordDigest = Base64(SHA1(nonce + created +
 * password)), Created within five minutes of the device clock, and a nonce is accepted only once (replay).
 * PasswordText is refused: a client sending the password in clear has a bug worth catching.
 */
export class UsernameTokenVerifier {
  private readonly seenNonces = new Map<string, number>();

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly deviceNow: () => number,
  ) {}

  verify(soapHeader: XmlNode): UsernameTokenVerdict {
    const token = child(child(soapHeader, 'Security'), 'UsernameToken');
    const username = text(token, 'Username');
    const passwordNode = child(token, 'Password');
    const digest = text(token, 'Password');
    const nonce = text(token, 'Nonce');
    const created = text(token, 'Created');
    if (username === undefined || digest === undefined) return { ok: false, reason: 'no UsernameToken' };
    if (!PASSWORD_DIGEST_TYPE.test(attribute(passwordNode, 'Type') ?? '')) return { ok: false, reason: 'password is not a PasswordDigest' };
    if (!nonce || !created) return { ok: false, reason: 'PasswordDigest without Nonce or Created' };
    const createdAt = Date.parse(created);
    if (!Number.isFinite(createdAt) || Math.abs(createdAt - this.deviceNow()) > MAX_CLOCK_DIFFERENCE_MS) {
      return { ok: false, reason: 'Created is missing or too far from the device clock' };
    }
    const expected = passwordDigest(Buffer.from(nonce, 'base64'), created, this.password);
    const given = Buffer.from(digest, 'base64');
    const matches = given.length === expected.length && timingSafeEqual(given, expected);
    if (!matches || username !== this.username) return { ok: false, reason: 'wrong username or password' };
    this.forgetOldNonces();
    if (this.seenNonces.has(nonce)) return { ok: false, reason: 'nonce replayed' };
    this.seenNonces.set(nonce, Date.now());
    return { ok: true };
  }

  private forgetOldNonces(): void {
    const horizon = Date.now() - 2 * MAX_CLOCK_DIFFERENCE_MS;
    for (const [nonce, seenAt] of this.seenNonces) {
      if (seenAt >= horizon) break; // insertion order is time order
      this.seenNonces.delete(nonce);
    }
  }
}

export function passwordDigest(nonce: Buffer, created: string, password: string): Buffer {
  return createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest();
}
