import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../hub/hub-context.ts';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';
import type { ViidPeerKind } from '../kernel/db/tables/index.ts';
import type { Peer, PeerRepository } from './peer-repository.ts';
import { viidForbidden, viidUnauthorized } from './viid-status.ts';

/** A registered peer, as every data request checks it. */
export interface PeerSession {
  peerId: string;
  kind: ViidPeerKind;
  departmentId: string;
  /** Address it registered from (requests must come from there when viid.bindSessionToAddress). */
  address: string;
  registeredAt: number;
  lastSeenAt: number;
  /** National IDs (cameras, tollgates) it may report for. */
  devices: ReadonlySet<string>;
}

/** How often the last-seen time is written to the peer's row while requests keep coming. */
const SEEN_WRITE_MS = 10_000;

/**
 * Who is registered right now. A session opens at a successful digest registration, is renewed by every
 * request carrying its `User-Identify`, and ends at UnRegister or after viid.keepaliveTimeoutSeconds without
 * one (the peer goes offline and must register again). Sessions are kept in memory and in the peer's row
 * (status, registration address and time, last seen): a restarted hub restores those still within the
 * keepalive timeout (`restore()`), so a restart does not send every device back to register at once; a
 * peer whose session lapsed meanwhile gets 401 and registers again, as the standard's clients do.
 */
export class PeerSessions {
  private readonly sessions = new Map<string, PeerSession>();
  private readonly seenWritten = new Map<string, number>();
  private readonly sweeper: PeriodicTask<void>;
  /** Told when a session opens and when it ends (unregistered, lapsed, ended by an admin change). */
  private listener: { opened(session: PeerSession): Promise<void>; ended(session: PeerSession, why: string): Promise<void> } | undefined;

  constructor(private readonly ctx: HubContext, private readonly peers: PeerRepository) {
    const timeoutMs = ctx.config.viid.keepaliveTimeoutSeconds * 1_000;
    this.sweeper = new PeriodicTask({
      run: () => this.expire(Date.now()),
      everyMs: Math.max(1_000, Math.min(5_000, Math.floor(timeoutMs / 4))),
      onError: (error) => ctx.log.warn({ err: error }, 'viid session sweep failed'),
    });
  }

  start(): void {
    this.sweeper.start();
  }

  follow(listener: PeerSessions['listener']): void {
    this.listener = listener;
  }

  private tell(what: 'opened' | 'ended', session: PeerSession, why = ''): void {
    const call = what === 'opened' ? this.listener?.opened(session) : this.listener?.ended(session, why);
    call?.catch((error: unknown) => this.ctx.log.warn({ err: error, peerId: session.peerId }, `viid session ${what} follow-up failed`));
  }

  async stop(): Promise<void> {
    await this.sweeper.stop();
    await this.peers.seenMany([...this.sessions.values()].map((session) => ({ id: session.peerId, at: session.lastSeenAt })))
      .catch((error: unknown) => this.ctx.log.warn({ err: error }, 'viid last-seen flush failed'));
  }

  /**
   * At start: the sessions of peers that were online, are enabled and were seen within the keepalive
   * timeout come back (same address binding, same devices); the others go offline. Returns the restored.
   */
  async restore(now: number): Promise<PeerSession[]> {
    const timeoutMs = this.ctx.config.viid.keepaliveTimeoutSeconds * 1_000;
    const restored: PeerSession[] = [];
    for (const peer of await this.peers.list()) {
      if (peer.status !== 'online' || peer.disabled !== 0 || peer.registered_at === null || peer.registered_from === null) continue;
      const lastSeenAt = peer.last_seen_at ?? peer.registered_at;
      if (now - lastSeenAt > timeoutMs) continue;
      const session: PeerSession = { peerId: peer.id, kind: peer.kind, departmentId: peer.department_id, address: peer.registered_from, registeredAt: peer.registered_at, lastSeenAt, devices: new Set(peer.devices) };
      this.sessions.set(peer.id, session);
      this.seenWritten.set(peer.id, lastSeenAt);
      restored.push(session);
    }
    await this.peers.offlineExcept(restored.map((session) => session.peerId), now);
    if (restored.length > 0) this.ctx.log.info({ restored: restored.length }, 'viid sessions restored after a restart');
    return restored;
  }

  async open(peer: Peer, address: string): Promise<PeerSession> {
    const now = Date.now();
    const session: PeerSession = { peerId: peer.id, kind: peer.kind, departmentId: peer.department_id, address, registeredAt: now, lastSeenAt: now, devices: new Set(peer.devices) };
    this.sessions.set(peer.id, session);
    this.seenWritten.set(peer.id, now);
    await this.peers.setStatus(peer.id, 'online', now, address);
    this.tell('opened', session);
    return session;
  }

  async close(peerId: string, status: 'unregistered' | 'offline'): Promise<boolean> {
    const session = this.sessions.get(peerId);
    this.sessions.delete(peerId);
    this.seenWritten.delete(peerId);
    await this.peers.setStatus(peerId, status, Date.now());
    if (session) this.tell('ended', session, status);
    return session !== undefined;
  }

  get(peerId: string): PeerSession | undefined {
    return this.sessions.get(peerId);
  }

  /** The admin changed or removed a peer: its session ends (it registers again with the new settings). */
  async revoke(peerId: string): Promise<void> {
    this.seenWritten.delete(peerId);
    const session = this.sessions.get(peerId);
    if (!session) return;
    this.sessions.delete(peerId);
    this.ctx.log.info({ peerId }, 'viid session ended by a peer change');
    await this.peers.setStatus(peerId, 'unregistered', Date.now()).catch(() => {});
    this.tell('ended', session, 'was changed by an admin');
  }

  /**
   * The session of the peer a request names in `User-Identify`: 401 when it names none, an unknown or
   * unregistered peer, or one whose session lapsed; 401 too when it comes from another address than the
   * registration (viid.bindSessionToAddress). Renews the session. Reusable by any /VIID route.
   */
  identify(request: FastifyRequest): PeerSession {
    const header = request.headers['user-identify'];
    const peerId = (Array.isArray(header) ? header[0] : header)?.trim();
    if (!peerId) throw viidUnauthorized('VIID_IDENTIFY_REQUIRED', 'send User-Identify with the ID you registered');
    const session = this.sessions.get(peerId);
    const now = Date.now();
    if (!session || now - session.lastSeenAt > this.ctx.config.viid.keepaliveTimeoutSeconds * 1_000) {
      throw viidUnauthorized('VIID_NOT_REGISTERED', `${peerId.slice(0, 40)} is not registered (or its session lapsed): register first`);
    }
    if (this.ctx.config.viid.bindSessionToAddress && session.address !== request.ip) {
      throw viidUnauthorized('VIID_SESSION_ADDRESS', 'this session was registered from another address');
    }
    session.lastSeenAt = now;
    if (now - (this.seenWritten.get(peerId) ?? 0) >= SEEN_WRITE_MS) {
      this.seenWritten.set(peerId, now);
      this.peers.seen(peerId, now).catch((error: unknown) => this.ctx.log.warn({ err: error, peerId }, 'viid last-seen write failed'));
    }
    return session;
  }

  /** Refuses a device the session's peer was not given. */
  assertOwns(session: PeerSession, nationalId: string): void {
    if (!session.devices.has(nationalId)) throw viidForbidden('VIID_DEVICE_NOT_OWNED', `${session.peerId} may not report for device ${nationalId.slice(0, 48)}`);
  }

  list(): PeerSession[] {
    return [...this.sessions.values()];
  }

  private async expire(now: number): Promise<void> {
    const timeoutMs = this.ctx.config.viid.keepaliveTimeoutSeconds * 1_000;
    for (const session of [...this.sessions.values()]) {
      if (now - session.lastSeenAt <= timeoutMs) continue;
      this.sessions.delete(session.peerId);
      this.seenWritten.delete(session.peerId);
      await this.peers.setStatus(session.peerId, 'offline', now);
      this.tell('ended', session, 'missed its keepalives');
      await this.ctx.audit.append({
        action: 'viid.offline', targetType: 'viid_peer', targetId: session.peerId, departmentId: session.departmentId, clientIp: session.address,
        details: { kind: session.kind, lastSeenAt: session.lastSeenAt, registeredAt: session.registeredAt },
      });
      this.ctx.log.info({ peerId: session.peerId }, 'viid peer offline: no keepalive');
    }
  }
}
