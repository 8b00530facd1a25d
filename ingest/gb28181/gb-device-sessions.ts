import type { GbCharset } from './manscdp.ts';
import type { SipPeer } from './sip-transport.ts';

/** A registered device as the SIP server holds it in memory: where it is and when it last spoke. */
export interface GbDeviceSession {
  id: string;
  peer: SipPeer;
  charset: GbCharset;
  callId: string;
  expiresAt: number;
  lastKeepaliveAt: number;
  /** When last_keepalive_at was last written (a keepalive flood does not become a write flood). */
  persistedAt: number;
}

/** Registered devices by ID. Empty after a restart: devices that keep sending keepalives get 404 and re-register. */
export class GbDeviceSessions {
  private readonly sessions = new Map<string, GbDeviceSession>();

  get(id: string): GbDeviceSession | undefined {
    return this.sessions.get(id);
  }

  set(session: GbDeviceSession): void {
    this.sessions.set(session.id, session);
  }

  delete(id: string): boolean {
    return this.sessions.delete(id);
  }

  ids(): string[] {
    return [...this.sessions.keys()];
  }

  /** Sessions whose keepalive or registration deadline has passed. */
  expired(now: number, keepaliveWindowMs: number): GbDeviceSession[] {
    return [...this.sessions.values()].filter((s) => now > s.expiresAt || now - s.lastKeepaliveAt > keepaliveWindowMs);
  }
}
