import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** One audit key: an id stored beside each event (not secret) and the derived HMAC keys. */
export interface AuditKey {
  id: string;
  /** Keys the event chain (HMAC-SHA256 over each event). */
  chain: Buffer;
  /** Keys the checkpoints published outside the database (another derivation, so one never stands for the other). */
  checkpoint: Buffer;
}

const derive = (purpose: string, secret: string): Buffer => createHash('sha256').update(`camera-hub/${purpose}/v1/${secret}`).digest();

export function auditKeyOf(secret: string): AuditKey {
  return { id: `k${derive('audit-key-id', secret).toString('hex').slice(0, 16)}`, chain: derive('audit-chain', secret), checkpoint: derive('audit-checkpoint', secret) };
}

export function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
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

  constructor(currentSecret: string, previousSecrets: readonly string[] = []) {
    this.current = auditKeyOf(currentSecret);
    for (const key of [this.current, ...previousSecrets.map(auditKeyOf)]) this.byId.set(key.id, key);
  }

  find(id: string): AuditKey | undefined {
    return this.byId.get(id);
  }
}
