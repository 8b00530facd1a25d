import type { AuthUser } from '../kernel/auth/token-service.ts';
import { PlayBinding } from '../../relay/play-binding.ts';

export type PlaybackStopReason = 'viewer_stop' | 'viewer_idle' | 'token_expired' | 'grant_revoked' | 'grant_expired' | 'camera_removed' | 'hub_stop';

export interface PlaybackSessionInit {
  id: string;
  user: Pick<AuthUser, 'id' | 'username' | 'departmentId'>;
  cameraId: string;
  /** The recorded time range the session plays, [from, to). */
  from: number;
  to: number;
  /** Wall-clock start of the first segment the playlist begins with (at or before `from`). */
  firstSegmentAt: number;
  grantId: string | null;
  accessEndsAt: number | null;
  reason: string;
  clientIp: string;
}

/**
 * One viewer playing one camera's recordings over a time range: its authority (grant), its reason and its
 * token generation. Like a live PlaySession it is bound to the browser that opened it (PlayBinding cookie).
 */
export class PlaybackSession {
  readonly id: string;
  readonly userId: string;
  readonly username: string;
  readonly departmentId: string;
  readonly cameraId: string;
  readonly from: number;
  readonly to: number;
  readonly firstSegmentAt: number;
  readonly reason: string;
  readonly clientIp: string;
  readonly startedAt = Date.now();
  grantId: string | null;
  accessEndsAt: number | null;
  expiresAt = 0;
  tokenGeneration = 0;
  previousTokenUntil = 0;
  lastSeenAt = Date.now();
  readonly binding: PlayBinding;

  constructor(init: PlaybackSessionInit) {
    this.id = init.id;
    this.userId = init.user.id;
    this.username = init.user.username;
    this.departmentId = init.user.departmentId;
    this.cameraId = init.cameraId;
    this.from = init.from;
    this.to = init.to;
    this.firstSegmentAt = init.firstSegmentAt;
    this.reason = init.reason;
    this.clientIp = init.clientIp;
    this.grantId = init.grantId;
    this.accessEndsAt = init.accessEndsAt;
    this.binding = new PlayBinding(init.id);
  }

  touch(): void {
    this.lastSeenAt = Date.now();
  }
}
