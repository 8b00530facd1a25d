import type { Logger } from 'pino';
import type { HubEvents } from '../kernel/events/hub-events.ts';
import type { ViewingSession, ViewingStopReason } from './viewing-session.ts';
import type { ViewingSessions } from './viewing-sessions.ts';

/**
 * Ends a kind's sessions at once when their grant is revoked or expires, or their camera is deleted (the
 * sweep's database re-check catches what another hub process did, and runs soon after the cluster's event bus
 * comes back from a Redis cut). `follow()` at start, `unfollow()` at stop.
 */
export class SessionEnds {
  private readonly onRevoked = this.onGrantEnded('grant_revoked');
  private readonly onExpired = this.onGrantEnded('grant_expired');
  private readonly onCameraChanged = ({ cameraId, change }: { cameraId: string; change: string }) => {
    if (change === 'deleted') this.guard('ending sessions of a removed camera', this.sessions.endForCamera(cameraId, 'camera_removed'));
  };

  // Grant ends announced while this node was cut from the other nodes' events: the database has them.
  private readonly onResync = () => this.sessions.recheckGrantsSoon();

  constructor(
    private readonly name: string,
    private readonly sessions: ViewingSessions<ViewingSession>,
    private readonly events: HubEvents,
    private readonly log: Pick<Logger, 'error'>,
  ) {}

  follow(): void {
    this.events.on('grant.revoked', this.onRevoked);
    this.events.on('grant.expired', this.onExpired);
    this.events.on('camera.changed', this.onCameraChanged);
    this.events.on('cluster.resync', this.onResync);
  }

  unfollow(): void {
    this.events.off('grant.revoked', this.onRevoked);
    this.events.off('grant.expired', this.onExpired);
    this.events.off('camera.changed', this.onCameraChanged);
    this.events.off('cluster.resync', this.onResync);
  }

  private onGrantEnded(reason: ViewingStopReason) {
    return ({ grantId }: { grantId: string }) => this.guard('ending sessions of a grant', this.sessions.endForGrant(grantId, reason));
  }

  private guard(what: string, work: Promise<unknown>): void {
    work.catch((error: Error) => this.log.error({ err: error }, `${this.name}: ${what} failed`));
  }
}
