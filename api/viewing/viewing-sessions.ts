import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CameraAccessDecision } from '../access/camera-access.ts';
import type { GrantRepository } from '../access/grant-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuthUser, TokenService } from '../kernel/auth/token-service.ts';
import { forbidden, HubError, notFound, unauthorized } from '../kernel/errors/hub-error.ts';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';
import type { Refusal, ViewingKind, ViewingLimits } from './viewing-kind.ts';
import type { ViewingSession, ViewingSessionInit, ViewingStopReason } from './viewing-session.ts';

/** How often ended grants are looked up in the database (covers revocations made by another hub process). */
const GRANT_RECHECK_MS = 3_000;

export interface ViewingTicket<S extends ViewingSession> {
  session: S;
  token: string;
  expiresAt: number;
}

export interface ViewingSessionsDeps {
  grants: Pick<GrantRepository, 'statesOf'>;
  audit: AuditLog;
  tokens: TokenService;
  limits: ViewingLimits;
  log: Pick<Logger, 'warn'>;
}

/** How a kind opens a session: builds it (taking what it holds) and says what the start event records. */
export interface OpenRequest<S extends ViewingSession> {
  user: AuthUser;
  cameraId: string;
  decision: CameraAccessDecision;
  clientIp: string;
  create: (init: ViewingSessionInit) => S | Promise<S>;
  /** The start audit event's top-level reason (the viewer's words) and its details after the session id. */
  audit: { reason?: string; details: Record<string, unknown> };
}

const refuse = (status: (code: string, message: string) => HubError, refusal: Refusal) => status(refusal.code, refusal.message);

/**
 * Sessions of looking at cameras, the one mechanism under live play (relay/play-sessions.ts) and playback
 * (api/playback/playback-sessions.ts): a per-user limit, a token with the kind's audience naming the session
 * and its generation (the newest taken, the one before for the grace after a renew), the browser binding
 * cookie, idle and lapse sweeping, and an end at once when the grant the session rests on is revoked or
 * expires (events, and a database re-check every few seconds). Every start and stop is audited.
 */
export class ViewingSessions<S extends ViewingSession> {
  private readonly sessions = new Map<string, S>();
  private readonly sweeper = new PeriodicTask({
    run: () => this.sweep(),
    everyMs: 1_000,
    onError: (error) => this.deps.log.warn({ err: error }, `${this.kind.name}: session sweep failed`),
  });
  private lastGrantCheck = 0;

  constructor(protected readonly kind: ViewingKind, protected readonly deps: ViewingSessionsDeps) {}

  start(): void {
    this.sweeper.start();
  }
  /** The next sweep (within a second) re-reads every session's grant, e.g. after grant ends may have been missed. */
  recheckGrantsSoon(): void {
    this.lastGrantCheck = 0;
  }


  get(sessionId: string): S | undefined {
    return this.sessions.get(sessionId);
  }

  list(): S[] {
    return [...this.sessions.values()];
  }

  /** Opens a session for a user already authorized (decision from assertCameraAccess). */
  protected async openSession(request: OpenRequest<S>): Promise<ViewingTicket<S>> {
    const { user, cameraId, decision, clientIp } = request;
    const mine = this.list().filter((s) => s.userId === user.id).length;
    if (mine >= this.deps.limits.maxSessionsPerUser) {
      const refusal = this.kind.refusals.limit(mine);
      throw new HubError(refusal.code, refusal.message, 429);
    }
    const session = await request.create({ id: randomUUID(), user, cameraId, grantId: decision.grantId ?? null, accessEndsAt: decision.expiresAt ?? null, clientIp });
    // Token first: the sweeper must never see a listed session without its expiry.
    const ticket = await this.issue(session, user).catch((error: unknown) => {
      session.close();
      throw error;
    });
    this.sessions.set(session.id, session);
    await this.deps.audit.append({
      action: this.kind.audit.start, userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: cameraId,
      clientIp, reason: request.audit.reason, details: { sessionId: session.id, ...request.audit.details },
    });
    return ticket;
  }

  /** A fresh token for a running session (the player's heartbeat); the caller re-checked access first. */
  async renew(sessionId: string, user: AuthUser, decision: CameraAccessDecision): Promise<ViewingTicket<S>> {
    const session = this.owned(sessionId, user);
    session.grantId = decision.grantId ?? null;
    session.accessEndsAt = decision.expiresAt ?? null;
    session.touch();
    return this.issue(session, user);
  }

  /**
   * Issues the session's next token generation, its lifetime cut to the end of the access. Only the newest
   * generation is taken by the media routes, and the one before for the grace: the player swaps every URL to
   * the new token once the renew answer is in, but a fetch sent just before that may arrive after it.
   */
  private async issue(session: S, user: AuthUser): Promise<ViewingTicket<S>> {
    const { limits } = this.deps;
    const now = Date.now();
    const untilAccessEnds = session.accessEndsAt === null ? Infinity : Math.floor((session.accessEndsAt - now) / 1_000);
    const ttl = Math.max(1, Math.min(limits.tokenTtlSeconds, untilAccessEnds));
    const gen = session.tokenGeneration + 1;
    const { token, expiresAt } = await this.deps.tokens.issue(user, this.kind.audience, ttl, { cam: session.cameraId, sid: session.id, grant: session.grantId, gen });
    session.previousTokenUntil = gen > 1 ? Date.now() + limits.tokenGraceSeconds * 1_000 : 0;
    session.tokenGeneration = gen;
    session.expiresAt = expiresAt;
    return { session, token, expiresAt };
  }

  /** The session of a user's own running session; 404 otherwise (no probing of others' ids). */
  owned(sessionId: string, user: AuthUser): S {
    const session = this.sessions.get(sessionId);
    if (!session || session.userId !== user.id) throw refuse(notFound, this.kind.refusals.notFound);
    return session;
  }

  /**
   * Checks a media request: the token (signature, expiry, audience), that it names what the path names
   * (`mediaClaim`), a running session of the same user, the session's binding cookie and the token's
   * generation (the newest, or the one before within the grace). Counts as viewer activity.
   */
  async authorizeMedia(token: string | undefined, pathTarget: string, cookieHeader: string | undefined): Promise<S> {
    const { refusals } = this.kind;
    if (!token || token.length > 4_096) throw refuse(unauthorized, refusals.tokenRequired);
    const verified = await this.deps.tokens.verify(token, this.kind.audience).catch((error: unknown) => {
      if (error instanceof HubError && error.code === 'TOKEN_EXPIRED') throw refuse(unauthorized, refusals.tokenExpired);
      throw refuse(unauthorized, refusals.tokenInvalid);
    });
    const claims = verified.claims as { sid?: unknown; cam?: unknown; gen?: unknown };
    const target = claims[this.kind.mediaClaim];
    if (typeof claims.sid !== 'string' || typeof target !== 'string') throw refuse(unauthorized, refusals.tokenWithoutSession);
    if (target !== pathTarget) throw refuse(forbidden, refusals.mismatch);
    const session = this.sessions.get(claims.sid);
    if (!session || session.userId !== verified.id) throw refuse(forbidden, refusals.ended);
    if (!session.binding.matches(cookieHeader)) throw refuse(forbidden, refusals.binding);
    const current = claims.gen === session.tokenGeneration;
    const previous = claims.gen === session.tokenGeneration - 1 && Date.now() < session.previousTokenUntil;
    if (!current && !previous) throw refuse(forbidden, refusals.superseded);
    session.touch();
    return session;
  }

  async end(session: S, reason: ViewingStopReason): Promise<void> {
    if (!this.sessions.delete(session.id)) return;
    session.close();
    await this.deps.audit.append({
      action: this.kind.audit.stop, userId: session.userId, username: session.username, departmentId: session.departmentId, targetType: 'camera', targetId: session.cameraId,
      clientIp: session.clientIp, reason,
      details: { sessionId: session.id, ...session.stopFacts(), grantId: session.grantId, reason, durationMs: Date.now() - session.startedAt },
    });
  }

  /** A grant was revoked or expired: every session resting on it ends now. */
  async endForGrant(grantId: string, reason: ViewingStopReason): Promise<number> {
    const affected = this.list().filter((s) => s.grantId === grantId);
    await Promise.all(affected.map((s) => this.end(s, reason)));
    return affected.length;
  }

  async endForCamera(cameraId: string, reason: ViewingStopReason): Promise<void> {
    await Promise.all(this.list().filter((s) => s.cameraId === cameraId).map((s) => this.end(s, reason)));
  }

  /** Ends idle, lapsed and grant-expired sessions; every few seconds also re-reads the grants in use. */
  async sweep(now = Date.now()): Promise<void> {
    const idleMs = this.deps.limits.viewerIdleSeconds * 1_000;
    for (const session of this.list()) {
      if (session.accessEndsAt !== null && now >= session.accessEndsAt) await this.end(session, 'grant_expired');
      else if (now > session.expiresAt) await this.end(session, 'token_expired');
      else if (!session.hasOpenConnections() && now - session.lastSeenAt > idleMs) await this.end(session, 'viewer_idle');
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

  async stopAll(reason: ViewingStopReason): Promise<void> {
    await this.sweeper.stop();
    await Promise.all(this.list().map((s) => this.end(s, reason)));
  }
}
