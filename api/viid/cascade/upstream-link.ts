import { lookup } from 'node:dns/promises';
import type { Logger } from 'pino';
import type { Static } from '@sinclair/typebox';
import { DomainError } from '../../kernel/errors/domain-error.ts';
import { backoffDelay } from '../../kernel/process/backoff.ts';
import { PeriodicTask } from '../../kernel/process/periodic-task.ts';
import type { CascadeConfigSchema } from './cascade-config.ts';
import { ViidUpstreamClient } from './viid-upstream-client.ts';

export type CascadeConfig = Static<typeof CascadeConfigSchema>;
export type UpstreamState = 'disabled' | 'registering' | 'online' | 'retrying' | 'stopped';

/** What the dashboard API and /metrics show of the upstream link. */
export interface UpstreamStatus {
  configured: boolean;
  url: string | null;
  upstreamId: string | null;
  ourId: string;
  state: UpstreamState;
  registeredAt: number | null;
  lastKeepaliveAt: number | null;
  lastError: string | null;
  /** Consecutive failures since the last success. */
  failures: number;
  registrations: number;
  nextAttemptAt: number | null;
}

/**
 * The hub's link to an upstream 视图库: registers with digest, keeps alive every keepaliveSeconds, and on any
 * failure (unreachable, 401, StatusCode ≠ 0) goes to `retrying` and registers again after an exponential
 * backoff with jitter. Unregisters on stop. One loop (PeriodicTask), whose delay is chosen from its state.
 */
export class UpstreamLink {
  private readonly task: PeriodicTask<number>;
  private readonly abort = new AbortController();
  private readonly client: ViidUpstreamClient;
  private readonly status: UpstreamStatus;
  private addresses = new Set<string>();

  constructor(
    private readonly config: CascadeConfig,
    ourId: string,
    private readonly log: Logger,
    /** Registration, its loss and the unregistration, for the audit trail. */
    private readonly onEvent: (event: 'registered' | 'lost' | 'unregistered', details: Record<string, unknown>) => Promise<void> = async () => {},
  ) {
    if (config.url && !/^https?:\/\/[^/?#@\s]+(\/[^?#\s]*)?$/.test(config.url)) {
      throw new DomainError('VIID_CASCADE_URL_INVALID', 'viid.cascade.url must be http(s)://host[:port][/path] without credentials');
    }
    this.client = new ViidUpstreamClient({
      url: config.url.replace(/\/+$/, ''), ourId, username: config.username || ourId, password: config.password,
      timeoutMs: config.requestTimeoutMs, signal: this.abort.signal,
    });
    this.status = {
      configured: config.url !== '', url: config.url || null, upstreamId: config.upstreamId || null, ourId,
      state: config.url ? 'registering' : 'disabled', registeredAt: null, lastKeepaliveAt: null, lastError: null,
      failures: 0, registrations: 0, nextAttemptAt: null,
    };
    this.task = new PeriodicTask<number>({
      run: () => this.step(),
      everyMs: (delay) => delay ?? this.config.retryInitialMs,
      onError: (error) => log.error({ err: error }, 'viid upstream step failed'),
    });
  }

  get online(): boolean {
    return this.status.state === 'online';
  }

  /**
   * True when `id` is the configured upstream, we are registered with it (it may then subscribe to us) and,
   * with `fromAddress`, the request comes from an address the upstream's host name resolved to at our last
   * registration (User-Identify alone is a claim anyone can make).
   */
  isUpstream(id: string, fromAddress?: string): boolean {
    if (!this.online || this.config.upstreamId === '' || id !== this.config.upstreamId) return false;
    return fromAddress === undefined || this.addresses.has(fromAddress.replace(/^::ffff:/, ''));
  }

  snapshot(): UpstreamStatus {
    return { ...this.status };
  }

  /** For pushes upward: the client, when the link is online. */
  get http(): ViidUpstreamClient | undefined {
    return this.online ? this.client : undefined;
  }

  start(): void {
    if (this.status.configured) this.task.start(0);
  }

  async stop(): Promise<void> {
    await this.task.stop();
    const wasOnline = this.online;
    if (this.status.configured) this.status.state = 'stopped';
    if (!wasOnline) return this.abort.abort();
    try {
      await this.client.unregister();
      this.log.info({ upstream: this.status.url }, 'unregistered from the upstream 视图库');
      await this.onEvent('unregistered', { upstream: this.status.url, upstreamId: this.status.upstreamId }).catch(() => {});
    } catch (error) {
      this.log.warn({ err: error }, 'unregister from the upstream 视图库 failed');
    } finally {
      this.abort.abort();
    }
  }

  /** One step of the loop; returns the delay to the next one. */
  private async step(): Promise<number> {
    const now = Date.now();
    try {
      if (this.status.state === 'online') {
        await this.client.keepalive();
        this.status.lastKeepaliveAt = Date.now();
      } else {
        this.status.state = 'registering';
        await this.client.register();
        this.addresses = await addressesOf(this.config.url);
        this.status.state = 'online';
        this.status.registeredAt = Date.now();
        this.status.lastKeepaliveAt = this.status.registeredAt;
        this.status.registrations++;
        this.log.info({ upstream: this.status.url, ourId: this.status.ourId }, 'registered with the upstream 视图库');
        await this.onEvent('registered', { upstream: this.status.url, upstreamId: this.status.upstreamId, registrations: this.status.registrations }).catch(() => {});
      }
      this.status.failures = 0;
      this.status.lastError = null;
      this.status.nextAttemptAt = now + this.config.keepaliveSeconds * 1000;
      return this.config.keepaliveSeconds * 1000;
    } catch (error) {
      if (this.abort.signal.aborted) return this.config.retryMaxMs;
      const delay = backoffDelay({ initialDelayMs: this.config.retryInitialMs, maxDelayMs: this.config.retryMaxMs }, this.status.failures);
      if (this.status.state === 'online') await this.onEvent('lost', { upstream: this.status.url, error: (error as Error).message }).catch(() => {});
      this.status.failures++;
      this.status.state = 'retrying';
      this.status.lastError = (error as Error).message;
      this.status.nextAttemptAt = Date.now() + delay;
      this.log.warn({ err: error, failures: this.status.failures, retryInMs: delay }, 'upstream 视图库 link failed; registering again after a backoff');
      return delay;
    }
  }
}

/** The addresses the upstream's host name stands for now (an IP literal stands for itself). */
async function addressesOf(url: string): Promise<Set<string>> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const found = await lookup(host, { all: true });
  return new Set(found.map((entry) => entry.address.replace(/^::ffff:/, '')));
}
