import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { GrantRepository } from '../api/access/grant-repository.ts';
import type { AuditLog } from '../api/audit/audit-log.ts';
import type { CameraAccessDecision } from '../api/access/camera-access.ts';
import type { AuthUser, TokenService } from '../api/kernel/auth/token-service.ts';
import { forbidden, HubError, notFound, unauthorized } from '../api/kernel/errors/hub-error.ts';
import { PeriodicTask } from '../api/kernel/process/periodic-task.ts';
import type { RelayConfig } from './relay-config.ts';
import type { FlvViewer } from './flv-viewer.ts';
import { PlaySession, type PlayProtocol, type PlayStopReason } from './play-session.ts';
import type { RelayPool } from './relay-pool.ts';

export const PLAY_AUDIENCE = 'play';
/** How often ended grants are looked up in the database (covers revocations made by another hub process). */
const GRANT_RECHECK_MS = 3_000;

export interface PlayTicket {
  session: PlaySession;
  token: string;
  expiresAt: number;
}

interface Deps {
  grants: Pick<GrantRepository, 'statesOf'>;
  audit: AuditLog;
  tokens: TokenService;
  config: RelayConfig;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

/**
 * Live play sessions: who watches which camera on what authority. A session holds a lease on the camera's
 * pull; it ends when the viewer stops or goes idle, when its token lapses without renewal, and at once when
 * the grant it rests on is revoked or expires (open FLV connections are cut, later fetches refused).
 * Every start and stop is audited.
 */
export class PlaySessions {
  private readonly sessions = new Map<string, PlaySession>();
  private readonly sweeper = new PeriodicTask({
    run: () => this.sweep(),
    everyMs: 1_000,
    onError: (error) => this.deps.log.warn({ err: error }, 'play session sweep failed'),
  });
  private lastGrantCheck = 0;

  constructor(private readonly deps: Deps, private readonly relays: RelayPool) {}

  start(): void {
    this.sweeper.start();
  }

  /** The next sweep (within a second) re-reads every session's grant, e.g. after grant ends may have been missed. */
  recheckGrantsSoon(): void {
    this.lastGrantCheck = 0;
  }

  get(sessionId: string): PlaySession | undefined {
    return this.sessions.get(sessionId);
  }

  list(): PlaySession[] {
    return [...this.sessions.values()];
  }

  /** Opens a session for a user already authorized (decision from assertCameraAccess). */
  async open(user: AuthUser, cameraId: string, decision: CameraAccessDecision, protocol: PlayProtocol, clientIp: string): Promise<PlayTicket> {
    const mine = this.list().filter((s) => s.userId === user.id).length;
    if (mine >= this.deps.config.maxSessionsPerUser) {
      throw new HubError('PLAY_SESSION_LIMIT', `you already have ${mine} open play sessions; stop some first`, 429);
    }
    const lease = await this.relays.lease(cameraId, `viewer:${user.username}`);
    const session = new PlaySession({
      id: randomUUID(), user, cameraId, grantId: decision.grantId ?? null, accessEndsAt: decision.expiresAt ?? null, protocol, clientIp, lease,
    });
    // Token first: the sweeper must never see a listed session without its expiry.
    const ticket = await this.issue(session, user).catch((error: unknown) => {
      lease.release();
      throw error;
    });
    this.sessions.set(session.id, session);
    await this.deps.audit.append({
      action: 'play.start', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: cameraId,
      clientIp, details: { sessionId: session.id, protocol, grantId: session.grantId, reason: decision.reason },
    });
    return ticket;
  }

  /** A fresh token for a running session (the player's heartbeat); the caller re-checked access first. */
  async renew(sessionId: string, user: AuthUser, decision: CameraAccessDecision): Promise<PlayTicket> {
    const session = this.owned(sessionId, user);
    session.grantId = decision.grantId ?? null;
    session.accessEndsAt = decision.expiresAt ?? null;
    session.touch();
    return this.issue(session, user);
  }

  /**
   * Issues the session's next token generation. Only the newest generation is taken by the media routes,
   * and the one before for `playTokenGraceSeconds` more: hls.js swaps every URL to the new token once the
   * renew answer is in, but a fetch sent just before that may arrive after it.
   */
  private async issue(session: PlaySession, user: AuthUser): Promise<PlayTicket> {
    const now = Date.now();
    const untilAccessEnds = session.accessEndsAt === null ? Infinity : Math.floor((session.accessEndsAt - now) / 1_000);
    const ttl = Math.max(1, Math.min(this.deps.config.playTokenTtlSeconds, untilAccessEnds));
    const gen = session.tokenGeneration + 1;
    const { token, expiresAt } = await this.deps.tokens.issue(user, PLAY_AUDIENCE, ttl, { cam: session.cameraId, sid: session.id, grant: session.grantId, gen });
    session.previousTokenUntil = gen > 1 ? Date.now() + this.deps.config.playTokenGraceSeconds * 1_000 : 0;
    session.tokenGeneration = gen;
    session.expiresAt = expiresAt;
    return { session, token, expiresAt };
  }

  /** The session of a user's own running play session; 404 otherwise (no probing of others' ids). */
  owned(sessionId: string, user: AuthUser): PlaySession {
    const session = this.sessions.get(sessionId);
    if (!session || session.userId !== user.id) throw notFound('PLAY_SESSION_NOT_FOUND', 'no such running play session');
    return session;
  }

  /**
   * Checks a media request: the token (signature, expiry, live session, same camera), the session's cookie
   * (the browser that started it, see PlayBinding) and the token's generation (the newest, or the one
   * before within the grace). Counts as viewer activity.
   */
  async authorizeMedia(token: string | undefined, streamId: string, cookieHeader: string | undefined): Promise<PlaySession> {
    if (!token || token.length > 4_096) throw unauthorized('PLAY_TOKEN_REQUIRED', 'media URLs need the token issued by POST /api/v1/cameras/:id/play');
    const verified = await this.deps.tokens.verify(token, PLAY_AUDIENCE).catch((error: unknown) => {
      if (error instanceof HubError && error.code === 'TOKEN_EXPIRED') throw unauthorized('PLAY_TOKEN_EXPIRED', 'this play URL has expired; renew the play session');
      throw unauthorized('PLAY_TOKEN_INVALID', 'this play URL is not valid');
    });
    const { sid, cam, gen } = verified.claims as { sid?: unknown; cam?: unknown; gen?: unknown };
    if (typeof sid !== 'string' || typeof cam !== 'string') throw unauthorized('PLAY_TOKEN_INVALID', 'play token lacks its session');
    if (cam !== streamId) throw forbidden('PLAY_TOKEN_MISMATCH', 'this play token is for another camera');
    const session = this.sessions.get(sid);
    if (!session || session.userId !== verified.id) throw forbidden('PLAY_SESSION_ENDED', 'this play session has ended; start playing again');
    if (!session.binding.matches(cookieHeader)) {
      throw forbidden('PLAY_BINDING_REQUIRED', 'this play URL only works in the browser that started the session; start playing yourself');
    }
    const current = gen === session.tokenGeneration;
    const previous = gen === session.tokenGeneration - 1 && Date.now() < session.previousTokenUntil;
    if (!current && !previous) throw forbidden('PLAY_TOKEN_SUPERSEDED', 'this play URL was replaced by a renewed one; use the newest URL');
    session.touch();
    return session;
  }

  attachFlv(session: PlaySession, viewer: FlvViewer): void {
    session.flvViewers.add(viewer);
    viewer.onClose(() => {
      session.flvViewers.delete(viewer);
      session.touch();
    });
  }

  async end(session: PlaySession, reason: PlayStopReason): Promise<void> {
    if (!this.sessions.delete(session.id)) return;
    session.close();
    await this.deps.audit.append({
      action: 'play.stop', userId: session.userId, username: session.username, departmentId: session.departmentId, targetType: 'camera', targetId: session.cameraId,
      clientIp: session.clientIp, reason, details: { sessionId: session.id, protocol: session.protocol, grantId: session.grantId, reason, durationMs: Date.now() - session.startedAt },
    });
  }

  /** A grant was revoked or expired: every session resting on it ends now. */
  async endForGrant(grantId: string, reason: PlayStopReason): Promise<number> {
    const affected = this.list().filter((s) => s.grantId === grantId);
    await Promise.all(affected.map((s) => this.end(s, reason)));
    return affected.length;
  }

  async endForCamera(cameraId: string, reason: PlayStopReason): Promise<void> {
    await Promise.all(this.list().filter((s) => s.cameraId === cameraId).map((s) => this.end(s, reason)));
  }

  /** Ends idle, lapsed and grant-expired sessions; every few seconds also re-reads the grants in use. */
  async sweep(now = Date.now()): Promise<void> {
    const idleMs = this.deps.config.viewerIdleSeconds * 1_000;
    for (const session of this.list()) {
      if (session.accessEndsAt !== null && now >= session.accessEndsAt) await this.end(session, 'grant_expired');
      else if (now > session.expiresAt) await this.end(session, 'token_expired');
      else if (session.flvViewers.size === 0 && now - session.lastSeenAt > idleMs) await this.end(session, 'viewer_idle');
    }
    if (now - this.lastGrantCheck < GRANT_RECHECK_MS) return;
    this.lastGrantCheck = now;
    const grantIds = [...new Set(this.list().map((s) => s.grantId).filter((id): id is string => id !== null))];
    if (grantIds.length === 0) return;
    const states = await this.deps.grants.statesOf(grantIds, now);
    for (const id of grantIds) {
      // A grant that vanished counts as revoked.
      const state = states.get(id) ?? 'revoked';
      if (state === 'revoked') await this.endForGrant(id, 'grant_revoked');
      else if (state === 'ended') await this.endForGrant(id, 'grant_expired');
    }
  }

  async stopAll(reason: PlayStopReason): Promise<void> {
    await this.sweeper.stop();
    await Promise.all(this.list().map((s) => this.end(s, reason)));
  }
}
