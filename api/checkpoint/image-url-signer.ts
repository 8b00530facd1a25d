import { createHmac, timingSafeEqual } from 'node:crypto';

export type PassImageKind = 'crop' | 'scene';

/**
 * Signed, expiring URLs of pass images for receivers outside the hub (GA/T 1400 subscribers and upstream
 * platforms): they fetch StorageUrl/StoragePath without our login. The signature covers the pass id, the
 * image kind and the expiry, under a key derived from the token secret for this purpose only.
 */
export class ImageUrlSigner {
  private readonly key: Buffer;

  constructor(tokenSecret: string, private readonly baseUrl: () => string, private readonly ttlMs: number) {
    this.key = createHmac('sha256', tokenSecret).update('checkpoint-image-url').digest();
  }

  url(passId: string, kind: PassImageKind, now = Date.now()): string {
    const expires = Math.floor((now + this.ttlMs) / 1000);
    return `${this.baseUrl()}/api/v1/checkpoint/images/${encodeURIComponent(passId)}/${kind}?expires=${expires}&sig=${this.signature(passId, kind, expires)}`;
  }

  /** True when the signature matches and the URL has not expired. */
  verify(passId: string, kind: PassImageKind, expires: number, signature: string, now = Date.now()): boolean {
    if (!Number.isSafeInteger(expires) || expires * 1000 < now) return false;
    const expected = Buffer.from(this.signature(passId, kind, expires));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private signature(passId: string, kind: PassImageKind, expires: number): string {
    return createHmac('sha256', this.key).update(`${passId}\n${kind}\n${expires}`).digest('base64url');
  }
}
