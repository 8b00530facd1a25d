import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { HubError } from '../errors/hub-error.ts';

/**
 * AES-256-GCM for camera credentials at rest. The stored form is `v1.<iv>.<tag>.<ciphertext>` (base64url);
 * a wrong key or a tampered value fails loudly instead of yielding garbage.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    // The configured key is a passphrase of ≥32 characters; hash it to exactly 32 bytes.
    this.key = createHash('sha256').update(`camera-hub/credentials/v1/${secret}`).digest();
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) {
      throw new HubError('CREDENTIALS_CORRUPT', 'stored credentials are not in a known format', 500);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new HubError('CREDENTIALS_UNREADABLE', 'stored credentials cannot be decrypted with the configured key', 500, { cause });
    }
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }
}
