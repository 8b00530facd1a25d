import type { AuthUser } from '../api/kernel/auth/token-service.ts';
import { PlayBinding } from './play-binding.ts';
import type { StreamLease } from './relay-pool.ts';

export type PlayProtocol = 'flv' | 'ws-flv' | 'hls';
export type PlayStopReason = 'viewer_stop' | 'viewer_idle' | 'token_expired' | 'grant_revoked' | 'grant_expired' | 'camera_removed' | 'hub_stop';

/** An open FLV connection of a session: a viewer of the local pull (FlvViewer) or of the owner's, through this node (ProxiedFlv). */
export interface FlvConnection {
  close(cut?: boolean): void;
  onClose(listener: () => void): void;
}

export interface PlaySessionInit {
  id: string;
  user: Pick<AuthUser, 'id' | 'username' | 'departmentId'>;
  cameraId: string;
  grantId: string | null;
  accessEndsAt: number | null;
  protocol: PlayProtocol;
  clientIp: string;
  lease: StreamLease;
}

/** One viewer watching one camera: its authority (grant), its lease on the pull, its open FLV connections (HTTP or WebSocket). */
export class PlaySession {
  readonly id: string;
  readonly userId: string;
  readonly username: string;
  readonly departmentId: string;
  readonly cameraId: string;
  readonly protocol: PlayProtocol;
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
  readonly flvViewers = new Set<FlvConnection>();
  private readonly lease: StreamLease;

  constructor(init: PlaySessionInit) {
    this.id = init.id;
    this.userId = init.user.id;
    this.username = init.user.username;
    this.departmentId = init.user.departmentId;
    this.cameraId = init.cameraId;
    this.grantId = init.grantId;
    this.accessEndsAt = init.accessEndsAt;
    this.protocol = init.protocol;
    this.clientIp = init.clientIp;
    this.lease = init.lease;
    this.binding = new PlayBinding(init.id);
  }

  touch(): void {
    this.lastSeenAt = Date.now();
  }

  /** Cuts open FLV connections (HTTP and WebSocket) and gives the lease back. */
  close(): void {
    for (const viewer of [...this.flvViewers]) viewer.close(true);
    this.flvViewers.clear();
    this.lease.release();
  }
}
