import { createHash, createHmac, getHashes, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256, or HMAC-SM3 (GB/T 32905) for deployments that must use the national algorithms. */
export type AuditAlgorithm = 'sha256' | 'sm3';

export const AUDIT_ALGORITHMS: readonly AuditAlgorithm[] = ['sha256', 'sm3'];

/** Can this Node (its OpenSSL build) compute the algorithm? */
export const auditAlgorithmAvailable = (algorithm: AuditAlgorithm): boolean => getHashes().includes(algorithm);

/** One audit key: an id stored beside each event (not secret; it names the algorithm too) and the derived HMAC keys. */
export interface AuditKey {
  id: string;
  algorithm: AuditAlgorithm;
  /** Keys the event chain (HMAC-SHA256 over each event). */
  chain: Buffer;
  /** Keys the checkpoints published outside the database (another derivation, so one never stands for the other). */
  checkpoint: Buffer;
}

const derive = (purpose: string, secret: string): Buffer => createHash('sha256').update(`camera-hub/${purpose}/v1/${secret}`).digest();

export function auditKeyOf(secret: string, algorithm: AuditAlgorithm = 'sha256'): AuditKey {
  const id = derive('audit-key-id', secret).toString('hex').slice(0, 16);
  return { id: algorithm === 'sha256' ? `k${id}` : `${algorithm}-k${id}`, algorithm, chain: derive('audit-chain', secret), checkpoint: derive('audit-checkpoint', secret) };
}

export function hmacHex(key: AuditKey, purpose: 'chain' | 'checkpoint', text: string): string {
  return createHmac(key.algorithm, key[purpose]).update(text).digest('hex');
}

export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The audit keys the hub knows (audit.chainKey, the database never holds it): the current one keys new
 * events and checkpoints; retired ones (audit.previousChainKeys) only verify what they keyed before a rotation.
 */
export class AuditKeyring {
  readonly current: AuditKey;
  private readonly byId = new Map<string, AuditKey>();

  constructor(currentSecret: string, previousSecrets: readonly string[] = [], algorithm: AuditAlgorithm = 'sha256') {
    this.current = auditKeyOf(currentSecret, algorithm);
    // Every known secret verifies under every available algorithm, so switching the algorithm is a rotation too.
    for (const secret of [currentSecret, ...previousSecrets]) {
      for (const other of AUDIT_ALGORITHMS.filter(auditAlgorithmAvailable)) {
        const key = auditKeyOf(secret, other);
        if (!this.byId.has(key.id)) this.byId.set(key.id, key);
      }
    }
  }

  find(id: string): AuditKey | undefined {
    return this.byId.get(id);
  }
}

/** The keyring of a hub's `audit` config section. */
export function auditKeyringOf(audit: { chainKey: string; previousChainKeys: readonly string[]; algorithm: AuditAlgorithm }): AuditKeyring {
  return new AuditKeyring(audit.chainKey, audit.previousChainKeys, audit.algorithm);
}
