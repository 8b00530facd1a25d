import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { HubError } from '../errors/hub-error.ts';

/** The configured key is a passphrase of ≥32 characters; hashed to exactly 32 bytes. */
const keyOf = (secret: string) => createHash('sha256').update(`camera-hub/credentials/v1/${secret}`).digest();

/**
 * AES-256-GCM for camera credentials at rest. The stored form is `v1.<iv>.<tag>.<ciphertext>` (base64url);
 * a wrong key or a tampered value fails loudly instead of yielding garbage. Sealing always uses the current
 * key; retired keys (a rotation in progress) only open what they sealed, until it is sealed again.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly retired: Buffer[];

  constructor(secret: string, retiredSecrets: readonly string[] = []) {
    this.key = keyOf(secret);
    this.retired = retiredSecrets.map(keyOf);
  }

  /** True when `sealed` opens only with a retired key: it should be sealed again with the current one. */
  sealedWithRetiredKey(sealed: string): boolean {
    if (this.retired.length === 0) return false;
    const parts = this.parse(sealed);
    return !decrypt(this.key, parts) && this.retired.some((key) => decrypt(key, parts) !== undefined);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const parts = this.parse(sealed);
    for (const key of [this.key, ...this.retired]) {
      const plaintext = decrypt(key, parts);
      if (plaintext !== undefined) return plaintext;
    }
    throw new HubError('CREDENTIALS_UNREADABLE', 'stored credentials cannot be decrypted with the configured key', 500);
  }

  private parse(sealed: string): SealedParts {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) {
      throw new HubError('CREDENTIALS_CORRUPT', 'stored credentials are not in a known format', 500);
    }
    return { iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), body: Buffer.from(body, 'base64url') };
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }
}

interface SealedParts { iv: Buffer; tag: Buffer; body: Buffer }

/** The plaintext, or undefined when this key did not seal it (GCM's tag check fails). */
function decrypt(key: Buffer, { iv, tag, body }: SealedParts): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
