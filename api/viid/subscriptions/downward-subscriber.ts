import { randomInt } from 'node:crypto';
import type { HubContext } from '../../hub/hub-context.ts';
import { badRequest, HubError, notFound } from '../../kernel/errors/hub-error.ts';
import { backoffDelay } from '../../kernel/process/backoff.ts';
import { PeriodicTask } from '../../kernel/process/periodic-task.ts';
import type { UpstreamStatus } from '../cascade/upstream-link.ts';
import { ViidUpstreamClient, type UpstreamReply } from '../cascade/viid-upstream-client.ts';
import { viidTime } from '../objects/viid-time.ts';
import type { AdminActor } from '../peer-service.ts';
import type { Peer, PeerRepository } from '../peer-repository.ts';
import type { DownwardLinks } from './downward-links.ts';
import type { IssuedSubscription, IssuedSubscriptionRepository } from './issued-subscription-repository.ts';

/** A subscription the lower one refused or did not answer: how often it was sent again, and when next. */
export interface RetryState {
  attempts: number;
  nextAttemptAt: number;
}

export interface DownwardSubscribeInput {
  peerId: string;
  title?: string;
  /** Device or tollgate IDs of the lower one (ResourceURI); empty = all it has for us. */
  resourceIds?: string[];
  beginAt?: number;
  endAt?: number;
  reportInterval?: number;
}

const DAY_MS = 86_400_000;
/** Longest pause of the loop that re-sends refused subscriptions and keeps the registrations to live peers. */
const LOOP_MAX_MS = 5_000;
const NOTIFICATION_PATH = '/VIID/SubscribeNotifications';

/** The ResponseStatusObject for our SubscribeID in a reply (its list entry, or the single object), if any. */
function entryFor(body: unknown, id: string): { StatusCode?: unknown; StatusString?: unknown } | undefined {
  const root = (body ?? {}) as Record<string, any>;
  const list = root.ResponseStatusListObject?.ResponseStatusObject ?? root.ResponseStatusObject;
  const entries: any[] = Array.isArray(list) ? list : list ? [list] : [];
  return entries.find((e) => String(e?.Id ?? '') === id) ?? (entries.length === 1 ? entries[0] : undefined);
}

/** StatusCode 0 for our ID in a 2xx reply is success; anything else (no entry, another code, HTTP error) is not. */
function outcomeOf(reply: UpstreamReply, id: string): { ok: boolean; statusCode: number | null; text: string } {
  const entry = entryFor(reply.body, id);
  const code = entry && entry.StatusCode !== undefined ? Number(entry.StatusCode) : null;
  const text = `HTTP ${reply.status}${code === null ? ', no status for our SubscribeID' : `, StatusCode ${code}`}${entry?.StatusString ? `: ${String(entry.StatusString)}` : ''}`;
  return { ok: reply.status >= 200 && reply.status < 300 && code === 0, statusCode: code, text };
}

/**
 * Downward subscriptions: the hub, as the upper 视图库, subscribes to a lower platform or device for its
 * MotorVehicles. It issues the SubscribeID (12-digit organisation code from our server ID + 03 + time + serial),
 * POSTs /VIID/Subscribes to the peer's base URL with `User-Identify` = our server ID and ReceiveAddr = our
 * /VIID/SubscribeNotifications, and cancels with DELETE /VIID/Subscribes?IDList= (a PUT with OperateType 1
 * when the lower one has no DELETE or refuses it). When the peer has register credentials the hub first
 * registers there with digest (DownwardLinks) and unregisters once no live subscription to it is left;
 * otherwise the lower one must know us already (it registered to us). Its notifications arrive at the
 * existing receiver, become passes through the intake (its own devices only) and are counted here.
 * A subscription the lower one refused or did not answer is `retrying`: sent again with backoff until it is
 * accepted, cancelled or past its end (then `refused`).
 */
export class DownwardSubscriber {
  private serial = randomInt(100_000);
  private readonly retries = new Map<string, RetryState>();
  /** One exchange per subscription at a time on this node: a cancel waits for a re-send in flight, never crosses it. */
  private readonly busy = new Map<string, Promise<unknown>>();
  private readonly loop: PeriodicTask<void>;

  constructor(
    private readonly ctx: HubContext,
    private readonly serverId: string,
    private readonly peers: PeerRepository,
    private readonly issued: IssuedSubscriptionRepository,
    private readonly links: DownwardLinks,
  ) {
    const cascade = ctx.config.viid.cascade;
    const everyMs = Math.min(LOOP_MAX_MS, Math.max(50, Math.floor(cascade.retryInitialMs / 2)));
    this.loop = new PeriodicTask({
      // In a cluster one node re-sends per period (the rows' status is shared; each node keeps its own backoff).
      run: async () => { await ctx.jobs.once('viid-downward-retry', everyMs, () => this.tend(Date.now())); },
      everyMs,
      onError: (error) => ctx.log.warn({ err: error }, 'viid downward subscriptions: retry pass failed'),
    });
  }

  start(): void {
    this.loop.start(0);
  }

  /** Stops re-sending and unregisters from every lower peer (shutdown). */
  async stop(): Promise<void> {
    await this.loop.stop();
    await this.links.stop();
  }

  /** A peer was changed or removed: its link starts over with the new settings (or ends) at the next pass. */
  peerChanged(peerId: string): void {
    void this.links.release(peerId).then(() => this.loop.kick(), (error: unknown) => this.ctx.log.warn({ err: error, peerId }, 'viid downward link release failed'));
  }

  /** Our registration at the peer, when it has register credentials and a live subscription. */
  registrationWith(peerId: string): UpstreamStatus | undefined {
    return this.links.snapshot(peerId);
  }

  /** Retry state of a subscription being sent again, for the list route. */
  retryOf(id: string): RetryState | undefined {
    return this.retries.get(id);
  }

  async create(input: DownwardSubscribeInput, actor: AdminActor): Promise<IssuedSubscription> {
    const peer = await this.peers.find(input.peerId);
    if (!peer) throw notFound('VIID_PEER_NOT_FOUND', `peer ${input.peerId} does not exist`);
    if (!peer.base_url) throw badRequest('VIID_PEER_NO_URL', `peer ${peer.id} has no baseUrl: set where we reach it first`);
    if (peer.disabled) throw badRequest('VIID_PEER_DISABLED', `peer ${peer.id} is disabled`);
    const now = Date.now();
    const beginAt = input.beginAt ?? now;
    const endAt = input.endAt ?? now + 365 * DAY_MS;
    if (endAt <= beginAt || endAt <= now) throw badRequest('VIID_SUBSCRIBE_TIME_INVALID', 'endAt must be after beginAt and in the future');
    const resourceIds = input.resourceIds ?? [];
    const unknown = resourceIds.filter((id) => !peer.devices.includes(id));
    if (unknown.length) throw badRequest('VIID_SUBSCRIBE_RESOURCE_UNKNOWN', `the peer may not report for ${unknown.slice(0, 5).join(', ')}: its notifications for them would be refused`);
    this.serial = (this.serial + 1) % 100_000;
    const row: IssuedSubscription = {
      id: `${this.serverId.slice(0, 12)}03${viidTime(now)}${String(this.serial).padStart(5, '0')}`,
      peer_id: peer.id, title: input.title ?? '卡口过车订阅', detail: '13', resource_uri: resourceIds.length ? resourceIds.join(',') : null,
      begin_at: beginAt, end_at: endAt, report_interval: input.reportInterval ?? null,
      receive_addr: `${this.ctx.publicUrl().replace(/\/+$/, '')}${NOTIFICATION_PATH}`,
      status: 'pending', status_code: null, status_text: null, notifications: 0, objects: 0, last_notified_at: null,
      created_by: actor.user.id, created_at: now, updated_at: now, cancelled_at: null,
    };
    // Stored before it is sent: a notification may arrive before the lower one's reply does.
    await this.issued.insert(row);
    const outcome = await this.subscribe(peer, row);
    await this.settle(row, outcome, Date.now());
    await this.audit('viid.downward.subscribe', row, actor, { peerId: peer.id, resourceUri: row.resource_uri, answer: outcome.text });
    return (await this.issued.find(row.id))!;
  }

  cancel(id: string, actor: AdminActor): Promise<IssuedSubscription> {
    return this.exclusive(id, () => this.cancelNow(id, actor));
  }

  private async cancelNow(id: string, actor: AdminActor): Promise<IssuedSubscription> {
    const row = await this.issued.find(id);
    if (!row) throw notFound('VIID_SUBSCRIPTION_NOT_FOUND', `we issued no subscription ${id}`);
    if (row.status === 'cancelled') return row;
    const peer = await this.peers.find(row.peer_id);
    this.retries.delete(id);
    let outcome = { ok: true, statusCode: null as number | null, text: 'the peer is gone: cancelled here only' };
    // One the lower one refused (or never answered) has nothing to cancel there, but asking does no harm.
    if (peer?.base_url) {
      outcome = await this.send(peer, id, async (client) => {
        const deleted = await client.send('DELETE', `/VIID/Subscribes?IDList=${encodeURIComponent(id)}`);
        // No DELETE there, or a refusal of it: the standard's other way to cancel.
        if (outcomeOf(deleted, id).ok) return deleted;
        return client.send('PUT', '/VIID/Subscribes', { SubscribeListObject: { SubscribeObject: [this.subscribeObject(row, 1)] } });
      });
    }
    if (!outcome.ok && row.status === 'active') {
      await this.issued.setStatus(id, row.status, outcome.statusCode, `cancel failed: ${outcome.text}`, Date.now());
      throw new HubError('VIID_CANCEL_REFUSED', `the lower 视图库 did not cancel ${id}: ${outcome.text}`, 502);
    }
    await this.issued.setStatus(id, 'cancelled', outcome.statusCode, outcome.text, Date.now());
    await this.audit('viid.downward.cancel', row, actor, { peerId: row.peer_id, answer: outcome.text });
    if (!(await this.issued.live(Date.now())).some((live) => live.peer_id === row.peer_id)) await this.links.release(row.peer_id);
    return (await this.issued.find(id))!;
  }

  /**
   * One pass of the loop: subscriptions due for another attempt are sent again; a registration is kept to
   * every peer with a live subscription (after a restart too) and ended where none is left.
   */
  private async tend(now: number): Promise<void> {
    const readAt = Date.now();
    const live = await this.issued.live(now);
    const peers = new Map<string, Peer | undefined>();
    const peerOf = async (id: string) => {
      if (!peers.has(id)) peers.set(id, await this.peers.find(id));
      return peers.get(id);
    };
    for (const row of live) {
      const peer = await peerOf(row.peer_id);
      if (peer && row.status === 'active') await this.links.ensure(peer);
      if (row.status !== 'retrying') continue;
      const retry = this.retries.get(row.id) ?? { attempts: 0, nextAttemptAt: now };
      this.retries.set(row.id, retry);
      if (retry.nextAttemptAt > now) continue;
      await this.exclusive(row.id, () => this.sendAgain(row.id, peer, retry.attempts));
    }
    // Past their end without an answer: no longer sent.
    for (const row of await this.issued.overdueRetrying(now)) {
      this.retries.delete(row.id);
      await this.issued.setStatus(row.id, 'refused', row.status_code, `given up at its end: ${row.status_text ?? ''}`, now);
    }
    const wanted = new Set(live.map((row) => row.peer_id));
    // Not links asked for since the read: a subscription being created now may need them.
    for (const peerId of this.links.peerIdsUnusedSince(readAt)) if (!wanted.has(peerId)) await this.links.release(peerId);
  }

  /** One re-send, if the subscription is still `retrying` now (a cancel may have come since the pass read it). */
  private async sendAgain(id: string, peer: Peer | undefined, attempts: number): Promise<void> {
    const row = await this.issued.find(id);
    if (row?.status !== 'retrying') return;
    const outcome = peer?.base_url && peer.disabled === 0
      ? await this.subscribe(peer, row)
      : { ok: false, statusCode: null, text: `peer ${row.peer_id} is gone, disabled or has no baseUrl` };
    const recorded = await this.settle(row, outcome, Date.now());
    if (outcome.ok && !recorded && peer) {
      // Cancelled on another node while this one was sending: the lower one must not keep what it just accepted.
      await this.send(peer, id, (client) => client.send('DELETE', `/VIID/Subscribes?IDList=${encodeURIComponent(id)}`));
      return;
    }
    if (outcome.ok) this.ctx.log.info({ subscribeId: id, peerId: row.peer_id, attempts }, 'lower 视图库 accepted a subscription sent again');
  }

  private async exclusive<T>(id: string, work: () => Promise<T>): Promise<T> {
    const result = (this.busy.get(id) ?? Promise.resolve()).then(work);
    const settled = result.then(() => undefined, () => undefined);
    this.busy.set(id, settled);
    void settled.then(() => { if (this.busy.get(id) === settled) this.busy.delete(id); });
    return result;
  }

  private subscribe(peer: Peer, row: IssuedSubscription) {
    return this.send(peer, row.id, (client) => client.send('POST', '/VIID/Subscribes', { SubscribeListObject: { SubscribeObject: [this.subscribeObject(row, 0)] } }));
  }

  /** Records what the lower one answered: accepted = active; anything else = retrying, with the next attempt's time. */
  private async settle(row: IssuedSubscription, outcome: { ok: boolean; statusCode: number | null; text: string }, now: number): Promise<boolean> {
    if (outcome.ok) {
      this.retries.delete(row.id);
      return this.issued.setStatus(row.id, 'active', outcome.statusCode, outcome.text, now);
    }
    const previous = this.retries.get(row.id);
    const attempts = previous ? previous.attempts + 1 : 0;
    const cascade = this.ctx.config.viid.cascade;
    this.retries.set(row.id, { attempts, nextAttemptAt: now + backoffDelay({ initialDelayMs: cascade.retryInitialMs, maxDelayMs: cascade.retryMaxMs }, attempts) });
    const recorded = await this.issued.setStatus(row.id, 'retrying', outcome.statusCode, outcome.text, now);
    if (!recorded) this.retries.delete(row.id);
    return recorded;
  }

  list(peerId?: string): Promise<IssuedSubscription[]> {
    return this.issued.list(peerId);
  }

  /** A notification arrived from `peerId`: counted when its SubscribeID is one we issued to that peer. */
  noteNotification(subscribeId: string, peerId: string, objects: number): Promise<boolean> {
    return this.issued.noteNotification(subscribeId, peerId, objects, Date.now());
  }

  /** One exchange with the lower peer: through our registration there when it has register credentials. */
  private async send(peer: Peer, id: string, call: (client: ViidUpstreamClient) => Promise<UpstreamReply>) {
    const timeoutMs = this.ctx.config.viid.cascade.requestTimeoutMs;
    let client: ViidUpstreamClient | undefined;
    if (await this.links.ensure(peer)) {
      const registered = await this.links.registered(peer, timeoutMs * 2);
      if (!registered.client) return { ok: false, statusCode: null, text: registered.reason ?? 'not registered' };
      client = registered.client;
    } else {
      client = new ViidUpstreamClient({ url: peer.base_url!, ourId: this.serverId, username: this.serverId, password: '', timeoutMs });
    }
    try {
      return outcomeOf(await call(client), id);
    } catch (error) {
      return { ok: false, statusCode: null, text: (error as Error).message };
    }
  }

  private subscribeObject(row: IssuedSubscription, operateType: 0 | 1) {
    return {
      SubscribeID: row.id, Title: row.title, SubscribeDetail: row.detail, ResourceURI: row.resource_uri ?? '',
      ApplicantName: this.serverId, ApplicantOrg: this.serverId.slice(0, 12),
      BeginTime: viidTime(Number(row.begin_at)), EndTime: viidTime(Number(row.end_at)), ReceiveAddr: row.receive_addr,
      ReportInterval: row.report_interval ?? 1, Reason: '上级视图库订阅', OperateType: operateType, SubscribeStatus: operateType === 1 ? 1 : 0,
      ...(operateType === 1 ? { SubscribeCancelOrg: this.serverId.slice(0, 12), SubscribeCancelPerson: this.serverId, CancelTime: viidTime(Date.now()), CancelReason: '上级取消订阅' } : {}),
      ResultImageDeclare: '-1',
    };
  }

  private async audit(action: string, row: IssuedSubscription, actor: AdminActor, details: Record<string, unknown>): Promise<void> {
    await this.ctx.audit.append({
      action, userId: actor.user.id, username: actor.user.username, departmentId: actor.user.departmentId,
      targetType: 'viid_issued_subscription', targetId: row.id, clientIp: actor.ip, details,
    });
  }
}
