import type { AuthUser } from '../kernel/auth/token-service.ts';
import { PlayBinding } from './play-binding.ts';

/** Why a live or playback session ended (audited as the stop reason). */
export type ViewingStopReason = 'viewer_stop' | 'viewer_idle' | 'token_expired' | 'grant_revoked' | 'grant_expired' | 'camera_removed' | 'hub_stop';

export interface ViewingSessionInit {
  id: string;
  user: Pick<AuthUser, 'id' | 'username' | 'departmentId'>;
  cameraId: string;
  grantId: string | null;
  accessEndsAt: number | null;
  clientIp: string;
}

/**
 * What every session of looking at a camera has, live or recorded: who, which camera, on what authority
 * (grant and when it ends), the token generations and the browser binding. The kinds add what they hold
 * (a live session a lease and FLV connections, a playback session a time range and a reason).
 */
export abstract class ViewingSession {
  readonly id: string;
  readonly userId: string;
  readonly username: string;
  readonly departmentId: string;
  readonly cameraId: string;
  readonly clientIp: string;
  readonly startedAt = Date.now();
  /** The grant the access rests on (null for owners and admins). */
  grantId: string | null;
  /** When that access ends on its own. */
  accessEndsAt: number | null;
  /** Expiry of the newest token issued for the session. */
  expiresAt = 0;
  /** Generation (`gen` claim) of the newest token: media requests must carry it; renew moves it on. */
  tokenGeneration = 0;
  /** Until when the token of the generation before is still taken (requests in flight during a renew). */
  previousTokenUntil = 0;
  /** The cookie key that ties the session's URLs to the browser that started it. */
  readonly binding: PlayBinding;
  lastSeenAt = Date.now();

  constructor(init: ViewingSessionInit) {
    this.id = init.id;
    this.userId = init.user.id;
    this.username = init.user.username;
    this.departmentId = init.user.departmentId;
    this.cameraId = init.cameraId;
    this.grantId = init.grantId;
    this.accessEndsAt = init.accessEndsAt;
    this.clientIp = init.clientIp;
    this.binding = new PlayBinding(init.id);
  }

  touch(): void {
    this.lastSeenAt = Date.now();
  }

  /** True while a connection of the session is open (such a session is never idle). */
  hasOpenConnections(): boolean {
    return false;
  }

  /** Facts of the kind put in the stop audit event, between the session id and the grant. */
  stopFacts(): Record<string, unknown> {
    return {};
  }

  /** Gives back what the session holds; called once, when it ends. */
  close(): void {}
}
