import type { CameraAccessDecision } from '../api/access/camera-access.ts';
import type { AuthUser } from '../api/kernel/auth/token-service.ts';
import type { ViewingKind } from '../api/viewing/viewing-kind.ts';
import { ViewingSessions, type ViewingSessionsDeps, type ViewingTicket } from '../api/viewing/viewing-sessions.ts';
import type { RelayConfig } from './relay-config.ts';
import { PlaySession, type FlvConnection, type PlayProtocol } from './play-session.ts';
import type { RelayPool } from './relay-pool.ts';

export const PLAY_AUDIENCE = 'play';

export type PlayTicket = ViewingTicket<PlaySession>;

/** Live play as a kind of viewing session: the token names the camera, the codes are PLAY_*. */
export const LIVE_KIND: ViewingKind = {
  name: 'relay',
  audience: PLAY_AUDIENCE,
  mediaClaim: 'cam',
  audit: { start: 'play.start', stop: 'play.stop' },
  refusals: {
    limit: (open) => ({ code: 'PLAY_SESSION_LIMIT', message: `you already have ${open} open play sessions; stop some first` }),
    notFound: { code: 'PLAY_SESSION_NOT_FOUND', message: 'no such running play session' },
    tokenRequired: { code: 'PLAY_TOKEN_REQUIRED', message: 'media URLs need the token issued by POST /api/v1/cameras/:id/play' },
    tokenExpired: { code: 'PLAY_TOKEN_EXPIRED', message: 'this play URL has expired; renew the play session' },
    tokenInvalid: { code: 'PLAY_TOKEN_INVALID', message: 'this play URL is not valid' },
    tokenWithoutSession: { code: 'PLAY_TOKEN_INVALID', message: 'play token lacks its session' },
    mismatch: { code: 'PLAY_TOKEN_MISMATCH', message: 'this play token is for another camera' },
    ended: { code: 'PLAY_SESSION_ENDED', message: 'this play session has ended; start playing again' },
    binding: { code: 'PLAY_BINDING_REQUIRED', message: 'this play URL only works in the browser that started the session; start playing yourself' },
    superseded: { code: 'PLAY_TOKEN_SUPERSEDED', message: 'this play URL was replaced by a renewed one; use the newest URL' },
  },
};

/**
 * Live play sessions: who watches which camera on what authority. A session holds a lease on the camera's
 * pull; it ends when the viewer stops or goes idle (no fetch and no open FLV connection), when its token
 * lapses without renewal, and at once when the grant it rests on is revoked or expires (open FLV
 * connections are cut, later fetches refused). The rules are the shared ViewingSessions'.
 */
export class PlaySessions extends ViewingSessions<PlaySession> {
  constructor(deps: Omit<ViewingSessionsDeps, 'limits'> & { config: RelayConfig }, private readonly relays: Pick<RelayPool, 'lease'>) {
    const { config } = deps;
    super(LIVE_KIND, {
      ...deps,
      limits: { maxSessionsPerUser: config.maxSessionsPerUser, tokenTtlSeconds: config.playTokenTtlSeconds, tokenGraceSeconds: config.playTokenGraceSeconds, viewerIdleSeconds: config.viewerIdleSeconds },
    });
  }

  /** Opens a session for a user already authorized (decision from assertCameraAccess), leasing the camera's pull. */
  open(user: AuthUser, cameraId: string, decision: CameraAccessDecision, protocol: PlayProtocol, clientIp: string): Promise<PlayTicket> {
    return this.openSession({
      user, cameraId, decision, clientIp,
      create: async (init) => new PlaySession({ ...init, protocol, lease: await this.relays.lease(cameraId, `viewer:${user.username}`) }),
      audit: { details: { protocol, grantId: decision.grantId ?? null, reason: decision.reason } },
    });
  }

  attachFlv(session: PlaySession, viewer: FlvConnection): void {
    session.flvViewers.add(viewer);
    viewer.onClose(() => {
      session.flvViewers.delete(viewer);
      session.touch();
    });
  }
}
