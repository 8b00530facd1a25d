import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import type { Gb28181Config } from './gb28181-config.ts';
import type { GbSipServer } from './gb-sip-server.ts';
import { buildManscdp, MANSCDP_CONTENT_TYPE } from './manscdp.ts';
import { newCallId, newTag } from './sip-endpoint.ts';

interface Subscription {
  deviceId: string;
  callId: string;
  fromTag: string;
  toTag: string | undefined;
  cseq: number;
  eventId: string;
  /** When to renew (a little before it expires). */
  renewAt: number;
  active: boolean;
}

const RETRY_MS = 30_000;

/**
 * Catalogue subscriptions (SUBSCRIBE with `Event: Catalog`): one per registered device, renewed in the same
 * dialog before it expires, dropped when the device goes offline. The NOTIFYs come in through the SIP server
 * like catalogue MESSAGEs (ADD/UPDATE/DEL/ON/OFF events).
 */
export class GbCatalogSubscriptions {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly renewals: PeriodicTask<void>;

  constructor(private readonly server: GbSipServer, private readonly config: Gb28181Config, private readonly log: Pick<Logger, 'info' | 'warn'>) {
    this.renewals = new PeriodicTask({ run: () => this.renewDue(), everyMs: 1_000, onError: (error) => log.warn({ err: error }, 'GB28181 subscription renewal failed') });
  }

  start(): void {
    this.renewals.start();
  }

  async stop(): Promise<void> {
    await this.renewals.stop();
    this.subscriptions.clear();
  }

  isActive(deviceId: string): boolean {
    return this.subscriptions.get(deviceId)?.active ?? false;
  }

  /** A fresh subscription (after each registration). */
  async subscribe(deviceId: string): Promise<void> {
    if (this.config.catalogSubscribeSeconds === 0) return;
    const subscription: Subscription = {
      deviceId, callId: newCallId(this.server.endpoint.host), fromTag: newTag(), toTag: undefined, cseq: 0,
      eventId: String(randomInt(1, 1_000_000)), renewAt: Number.MAX_SAFE_INTEGER, active: false,
    };
    this.subscriptions.set(deviceId, subscription);
    await this.send(subscription, this.config.catalogSubscribeSeconds);
  }

  drop(deviceId: string): void {
    this.subscriptions.delete(deviceId);
  }

  private async renewDue(): Promise<void> {
    const now = Date.now();
    for (const subscription of [...this.subscriptions.values()]) {
      if (subscription.renewAt > now) continue;
      subscription.renewAt = now + RETRY_MS;
      await this.send(subscription, this.config.catalogSubscribeSeconds).catch((error: Error) => this.log.warn({ err: error, deviceId: subscription.deviceId }, 'GB28181 catalogue subscription not renewed'));
    }
  }

  private async send(subscription: Subscription, expires: number): Promise<void> {
    const session = this.server.sessionOf(subscription.deviceId);
    const { serverId, domain } = this.config;
    subscription.cseq++;
    const body = buildManscdp('Query', [['CmdType', 'Catalog'], ['SN', String(randomInt(100_000, 999_999))], ['DeviceID', subscription.deviceId]], session.charset);
    const request = this.server.endpoint.build(session.peer, {
      method: 'SUBSCRIBE', uri: `sip:${subscription.deviceId}@${session.peer.address}:${session.peer.port}`, callId: subscription.callId, cseq: subscription.cseq,
      from: `<sip:${serverId}@${domain}>;tag=${subscription.fromTag}`,
      to: `<sip:${subscription.deviceId}@${domain}>${subscription.toTag ? `;tag=${subscription.toTag}` : ''}`,
      headers: [['contact', `<sip:${serverId}@${this.server.endpoint.host}:${this.server.port}>`], ['event', `Catalog;id=${subscription.eventId}`], ['expires', String(expires)], ['content-type', MANSCDP_CONTENT_TYPE]],
      body,
    });
    const response = await this.server.endpoint.request(session.peer, request, { timeoutMs: 8_000 }).catch(() => undefined);
    if (this.subscriptions.get(subscription.deviceId) !== subscription) return;
    if (!response || response.status >= 300) {
      // Many devices do not support catalogue subscriptions: try again later, without noise.
      subscription.active = false;
      subscription.renewAt = Date.now() + Math.max(RETRY_MS, expires * 500);
      return;
    }
    subscription.toTag ??= /;\s*tag=([^;>\s]+)/.exec(response.headers.get('to') ?? '')?.[1];
    const granted = Number(response.headers.get('expires') ?? expires) || expires;
    subscription.active = true;
    // wvp renews at cycle*1000-500 ms; a few seconds early is kinder to a loaded device.
    subscription.renewAt = Date.now() + Math.max(1_000, granted * 1_000 - Math.min(5_000, granted * 100));
  }
}
