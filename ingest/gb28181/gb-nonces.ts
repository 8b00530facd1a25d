import { newNonce } from './sip-digest.ts';

const NONCE_TTL_MS = 5 * 60_000;
const MAX_NONCES = 10_000;

/** Nonces we issued in 401 challenges; a REGISTER must answer one of them, and only while it is fresh. */
export class GbNonces {
  private readonly issued = new Map<string, number>();

  issue(now = Date.now()): string {
    if (this.issued.size >= MAX_NONCES) {
      // Oldest first (Map keeps insertion order): a challenge flood evicts its own nonces, not the bounded set.
      const oldest = this.issued.keys().next().value;
      if (oldest !== undefined) this.issued.delete(oldest);
    }
    const nonce = newNonce();
    this.issued.set(nonce, now);
    return nonce;
  }

  fresh(nonce: string, now = Date.now()): boolean {
    const at = this.issued.get(nonce);
    if (at === undefined) return false;
    if (now - at > NONCE_TTL_MS) {
      this.issued.delete(nonce);
      return false;
    }
    return true;
  }
}
