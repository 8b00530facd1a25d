import type { CameraAccessDecision } from '../access/camera-access.ts';
import type { AuthUser } from '../kernel/auth/token-service.ts';
import type { ViewingKind } from '../viewing/viewing-kind.ts';
import { ViewingSessions, type ViewingSessionsDeps, type ViewingTicket } from '../viewing/viewing-sessions.ts';
import type { PlaybackConfig } from './playback-config.ts';
import { PlaybackSession } from './playback-session.ts';
import type { TimeRange } from './playback-range.ts';

export const PLAYBACK_AUDIENCE = 'playback';

export type PlaybackTicket = ViewingTicket<PlaybackSession>;

/** Playback as a kind of viewing session: the token's session id is what the VOD path names, the codes are PLAYBACK_*. */
export const PLAYBACK_KIND: ViewingKind = {
  name: 'playback',
  audience: PLAYBACK_AUDIENCE,
  mediaClaim: 'sid',
  audit: { start: 'playback.start', stop: 'playback.stop' },
  refusals: {
    limit: (open) => ({ code: 'PLAYBACK_SESSION_LIMIT', message: `you already have ${open} open playback sessions; stop some first` }),
    notFound: { code: 'PLAYBACK_SESSION_NOT_FOUND', message: 'no such running playback session' },
    tokenRequired: { code: 'PLAYBACK_TOKEN_REQUIRED', message: 'playback URLs need the token issued when the playback session was opened' },
    tokenExpired: { code: 'PLAYBACK_TOKEN_EXPIRED', message: 'this playback URL has expired; renew the playback session' },
    tokenInvalid: { code: 'PLAYBACK_TOKEN_INVALID', message: 'this playback URL is not valid' },
    tokenWithoutSession: { code: 'PLAYBACK_TOKEN_INVALID', message: 'playback token lacks its session' },
    mismatch: { code: 'PLAYBACK_TOKEN_MISMATCH', message: 'this playback token is for another session' },
    ended: { code: 'PLAYBACK_SESSION_ENDED', message: 'this playback session has ended; open it again' },
    binding: { code: 'PLAY_BINDING_REQUIRED', message: 'this playback URL only works in the browser that opened the session' },
    superseded: { code: 'PLAYBACK_TOKEN_SUPERSEDED', message: 'this playback URL was replaced by a renewed one' },
  },
};

/**
 * Running playback sessions, under the rules of live play (the shared ViewingSessions): a token with its own
 * audience (`playback`) naming the session, the browser binding cookie, token generations with a grace after
 * renew, and an end at once when the grant the session rests on is revoked or expires (later playlist and
 * segment fetches get 403 PLAYBACK_SESSION_ENDED). Every start and stop is audited with the reason.
 */
export class PlaybackSessions extends ViewingSessions<PlaybackSession> {
  constructor(deps: Omit<ViewingSessionsDeps, 'limits'> & { config: PlaybackConfig }) {
    const { config } = deps;
    super(PLAYBACK_KIND, {
      ...deps,
      limits: { maxSessionsPerUser: config.maxSessionsPerUser, tokenTtlSeconds: config.tokenTtlSeconds, tokenGraceSeconds: config.tokenGraceSeconds, viewerIdleSeconds: config.viewerIdleSeconds },
    });
  }

  /** `recorded`: where the playlist begins and the recording's frame rate (null when unknown). */
  open(user: AuthUser, cameraId: string, range: TimeRange, decision: CameraAccessDecision, reason: string, clientIp: string, recorded: { firstSegmentAt: number; frameRate: number | null }): Promise<PlaybackTicket> {
    return this.openSession({
      user, cameraId, decision, clientIp,
      create: (init) => new PlaybackSession({ ...init, from: range.from, to: range.to, ...recorded, reason }),
      audit: { reason, details: { from: range.from, to: range.to, grantId: decision.grantId ?? null, decision: decision.reason } },
    });
  }
}
