import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CameraAccessDecision } from '../access/camera-access.ts';
import type { GrantRepository } from '../access/grant-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuthUser, TokenService } from '../kernel/auth/token-service.ts';
import { forbidden, HubError, notFound, unauthorized } from '../kernel/errors/hub-error.ts';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';
import type { PlaybackConfig } from './playback-config.ts';
import { PlaybackSession, type PlaybackStopReason } from './playback-session.ts';
import type { TimeRange } from './playback-range.ts';

export const PLAYBACK_AUDIENCE = 'playback';
const GRANT_RECHECK_MS = 3_000;

export interface PlaybackTicket {
  session: PlaybackSession;
  token: string;
  expiresAt: number;
}

interface Deps {
  grants: Pick<GrantRepository, 'statesOf'>;
  audit: AuditLog;
  tokens: TokenService;
  config: PlaybackConfig;
  log: Pick<Logger, 'warn'>;
}

/**
 * Running playback sessions, under the rules of live play (relay/play-sessions.ts): a token with its own
 * audience (`playback`) naming the session, the browser binding cookie, token generations with a grace
 * after renew, and an end at once when the grant the session rests on is revoked or expires (later
 * playlist and segment fetches get 403 PLAYBACK_SESSION_ENDED). Every start and stop is audited with the reason.
 */
export class PlaybackSessions {
  private readonly sessions = new Map<string, PlaybackSession>();
  private readonly sweeper = new PeriodicTask({ run: () => this.sweep(), everyMs: 1_000, onError: (error) => this.deps.log.warn({ err: error }, 'playback session sweep failed') });
  private lastGrantCheck = 0;

  constructor(private readonly deps: Deps) {}

  start(): void {
    this.sweeper.start();
  }

  /** The next sweep (within a second) re-reads every session's grant, e.g. after grant ends may have been missed. */
  recheckGrantsSoon(): void {
    this.lastGrantCheck = 0;
  }

  list(): PlaybackSession[] {
    return [...this.sessions.values()];
  }

  async open(user: AuthUser, cameraId: string, range: TimeRange, decision: CameraAccessDecision, reason: string, clientIp: string, firstSegmentAt: number): Promise<PlaybackTicket> {
    const mine = this.list().filter((s) => s.userId === user.id).length;
    if (mine >= this.deps.config.maxSessionsPerUser) throw new HubError('PLAYBACK_SESSION_LIMIT', `you already have ${mine} open playback sessions; stop some first`, 429);
    const session = new PlaybackSession({
      id: randomUUID(), user, cameraId, from: range.from, to: range.to, firstSegmentAt, grantId: decision.grantId ?? null, accessEndsAt: decision.expiresAt ?? null, reason, clientIp,
    });
    const ticket = await this.issue(session, user);
    this.sessions.set(session.id, session);
    await this.deps.audit.append({
      action: 'playback.start', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: cameraId,
      clientIp, reason, details: { sessionId: session.id, from: range.from, to: range.to, grantId: session.grantId, decision: decision.reason },
    });
    return ticket;
  }

  async renew(sessionId: string, user: AuthUser, decision: CameraAccessDecision): Promise<PlaybackTicket> {
    const session = this.owned(sessionId, user);
    session.grantId = decision.grantId ?? null;
    session.accessEndsAt = decision.expiresAt ?? null;
    session.touch();
    return this.issue(session, user);
  }

  private async issue(session: PlaybackSession, user: AuthUser): Promise<PlaybackTicket> {
    const now = Date.now();
    const untilAccessEnds = session.accessEndsAt === null ? Infinity : Math.floor((session.accessEndsAt - now) / 1_000);
    const ttl = Math.max(1, Math.min(this.deps.config.tokenTtlSeconds, untilAccessEnds));
    const gen = session.tokenGeneration + 1;
    const { token, expiresAt } = await this.deps.tokens.issue(user, PLAYBACK_AUDIENCE, ttl, { cam: session.cameraId, sid: session.id, grant: session.grantId, gen });
    session.previousTokenUntil = gen > 1 ? Date.now() + this.deps.config.tokenGraceSeconds * 1_000 : 0;
    session.tokenGeneration = gen;
    session.expiresAt = expiresAt;
    return { session, token, expiresAt };
  }

  owned(sessionId: string, user: AuthUser): PlaybackSession {
    const session = this.sessions.get(sessionId);
    if (!session || session.userId !== user.id) throw notFound('PLAYBACK_SESSION_NOT_FOUND', 'no such running playback session');
    return session;
  }

  /** Checks a VOD media request: token, same session, binding cookie, newest generation. Counts as activity. */
  async authorizeMedia(token: string | undefined, sessionId: string, cookieHeader: string | undefined): Promise<PlaybackSession> {
    if (!token || token.length > 4_096) throw unauthorized('PLAYBACK_TOKEN_REQUIRED', 'playback URLs need the token issued when the playback session was opened');
    const verified = await this.deps.tokens.verify(token, PLAYBACK_AUDIENCE).catch((error: unknown) => {
      if (error instanceof HubError && error.code === 'TOKEN_EXPIRED') throw unauthorized('PLAYBACK_TOKEN_EXPIRED', 'this playback URL has expired; renew the playback session');
      throw unauthorized('PLAYBACK_TOKEN_INVALID', 'this playback URL is not valid');
    });
    const { sid, gen } = verified.claims as { sid?: unknown; gen?: unknown };
    if (typeof sid !== 'string') throw unauthorized('PLAYBACK_TOKEN_INVALID', 'playback token lacks its session');
    if (sid !== sessionId) throw forbidden('PLAYBACK_TOKEN_MISMATCH', 'this playback token is for another session');
    const session = this.sessions.get(sid);
    if (!session || session.userId !== verified.id) throw forbidden('PLAYBACK_SESSION_ENDED', 'this playback session has ended; open it again');
    if (!session.binding.matches(cookieHeader)) throw forbidden('PLAY_BINDING_REQUIRED', 'this playback URL only works in the browser that opened the session');
    const current = gen === session.tokenGeneration;
    const previous = gen === session.tokenGeneration - 1 && Date.now() < session.previousTokenUntil;
    if (!current && !previous) throw forbidden('PLAYBACK_TOKEN_SUPERSEDED', 'this playback URL was replaced by a renewed one');
    session.touch();
    return session;
  }

  async end(session: PlaybackSession, reason: PlaybackStopReason): Promise<void> {
    if (!this.sessions.delete(session.id)) return;
    await this.deps.audit.append({
      action: 'playback.stop', userId: session.userId, username: session.username, departmentId: session.departmentId, targetType: 'camera', targetId: session.cameraId,
      clientIp: session.clientIp, reason, details: { sessionId: session.id, grantId: session.grantId, reason, durationMs: Date.now() - session.startedAt },
    });
  }

  async endForGrant(grantId: string, reason: PlaybackStopReason): Promise<number> {
    const affected = this.list().filter((s) => s.grantId === grantId);
    await Promise.all(affected.map((s) => this.end(s, reason)));
    return affected.length;
  }

  async endForCamera(cameraId: string, reason: PlaybackStopReason): Promise<void> {
    await Promise.all(this.list().filter((s) => s.cameraId === cameraId).map((s) => this.end(s, reason)));
  }

  async sweep(now = Date.now()): Promise<void> {
    const idleMs = this.deps.config.viewerIdleSeconds * 1_000;
    for (const session of this.list()) {
      if (session.accessEndsAt !== null && now >= session.accessEndsAt) await this.end(session, 'grant_expired');
      else if (now > session.expiresAt) await this.end(session, 'token_expired');
      else if (now - session.lastSeenAt > idleMs) await this.end(session, 'viewer_idle');
    }
    if (now - this.lastGrantCheck < GRANT_RECHECK_MS) return;
    this.lastGrantCheck = now;
    const grantIds = [...new Set(this.list().map((s) => s.grantId).filter((id): id is string => id !== null))];
    if (grantIds.length === 0) return;
    const states = await this.deps.grants.statesOf(grantIds, now);
    for (const id of grantIds) {
      const state = states.get(id) ?? 'revoked';
      if (state === 'revoked') await this.endForGrant(id, 'grant_revoked');
      else if (state === 'ended') await this.endForGrant(id, 'grant_expired');
    }
  }

  async stopAll(reason: PlaybackStopReason): Promise<void> {
    await this.sweeper.stop();
    await Promise.all(this.list().map((s) => this.end(s, reason)));
  }
}
