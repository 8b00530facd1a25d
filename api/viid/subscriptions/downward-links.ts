import type { FastifyRequest } from 'fastify';
import type { HubContext } from '../../hub/hub-context.ts';
import { UpstreamLink, type UpstreamStatus } from '../cascade/upstream-link.ts';
import type { ViidUpstreamClient } from '../cascade/viid-upstream-client.ts';
import type { Peer, PeerRepository } from '../peer-repository.ts';
import type { PeerSession } from '../peer-sessions.ts';

/** How often a link being set up is looked at while a subscribe waits for its registration. */
const SETTLE_POLL_MS = 25;

interface Entry {
  link: UpstreamLink;
  /** base URL and credentials it was made with: a change makes a new link. */
  key: string;
  /** When it was last asked for (ensure). */
  usedAt: number;
}

/**
 * Our registrations at lower 视图库 peers that have register credentials: before we subscribe there, the hub
 * registers with HTTP Digest as their upper platform and keeps alive, as the cascade does upward (the same
 * UpstreamLink: 401 challenge → digest, keepalive, re-register with backoff, UnRegister when released or at
 * shutdown). While registered, the peer's notifications to us are accepted without it registering to us.
 */
export class DownwardLinks {
  private readonly links = new Map<string, Entry>();

  constructor(
    private readonly ctx: HubContext,
    private readonly serverId: string,
    private readonly peers: PeerRepository,
  ) {}

  /** The link to `peer`, started if new; undefined when we do not register there (no base URL or no credentials). */
  async ensure(peer: Peer): Promise<UpstreamLink | undefined> {
    const credentials = peer.base_url && peer.disabled === 0 ? await this.peers.registerCredentialsOf(peer.id) : undefined;
    if (!peer.base_url || !credentials) {
      await this.release(peer.id);
      return undefined;
    }
    const username = credentials.username || this.serverId;
    const key = JSON.stringify([peer.base_url, username, credentials.password]);
    const existing = this.links.get(peer.id);
    if (existing?.key === key) {
      existing.usedAt = Date.now();
      return existing.link;
    }
    if (existing) await this.release(peer.id);
    const cascade = this.ctx.config.viid.cascade;
    const link = new UpstreamLink(
      { ...cascade, url: peer.base_url, upstreamId: peer.id, username, password: credentials.password, pushMotorVehicles: false, departmentId: '' },
      this.serverId, this.ctx.log.child({ component: 'viid-downward-link', peerId: peer.id }),
      (event, details) => this.ctx.audit.append({ action: `viid.downward.${event}`, targetType: 'viid_peer', targetId: peer.id, details }).then(() => {}),
    );
    this.links.set(peer.id, { link, key, usedAt: Date.now() });
    link.start();
    return link;
  }

  /**
   * The registered client for `peer` once its registration settled (online, or its first attempt failed, or
   * `timeoutMs` passed); `reason` says why there is none.
   */
  async registered(peer: Peer, timeoutMs: number): Promise<{ client?: ViidUpstreamClient; reason?: string }> {
    const link = this.links.get(peer.id)?.link;
    if (!link) return { reason: 'no link' };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = link.snapshot();
      if (status.state === 'online') return { client: link.http };
      if (status.failures > 0 || Date.now() >= deadline || status.state === 'stopped') {
        return { reason: `not registered at ${peer.id}: ${status.lastError ?? status.state}` };
      }
      await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    }
  }

  snapshot(peerId: string): UpstreamStatus | undefined {
    return this.links.get(peerId)?.link.snapshot();
  }

  /** Peers whose link was last asked for before `at` (one asked for since may serve a subscription a reader did not see yet). */
  peerIdsUnusedSince(at: number): string[] {
    return [...this.links].filter(([, entry]) => entry.usedAt < at).map(([peerId]) => peerId);
  }

  /**
   * A request from a peer we are registered with (its User-Identify, and with viid.bindSessionToAddress one of
   * the addresses its base URL's host resolved to): the session its notifications are taken under.
   */
  async sessionFor(request: FastifyRequest): Promise<PeerSession | undefined> {
    const header = request.headers['user-identify'];
    const id = (Array.isArray(header) ? header[0] : header)?.trim();
    const link = id ? this.links.get(id)?.link : undefined;
    if (!id || !link || !link.isUpstream(id, this.ctx.config.viid.bindSessionToAddress ? request.ip : undefined)) return undefined;
    const peer = await this.peers.find(id);
    if (!peer || peer.disabled !== 0) return undefined;
    const now = Date.now();
    return {
      peerId: peer.id, kind: peer.kind, departmentId: peer.department_id, address: request.ip,
      registeredAt: link.snapshot().registeredAt ?? now, lastSeenAt: now, devices: new Set(peer.devices),
    };
  }

  /** Stops the link to `peerId`, unregistering there when it was registered. */
  async release(peerId: string): Promise<void> {
    const entry = this.links.get(peerId);
    if (!entry) return;
    this.links.delete(peerId);
    await entry.link.stop();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.links.keys()].map((peerId) => this.release(peerId)));
  }
}
