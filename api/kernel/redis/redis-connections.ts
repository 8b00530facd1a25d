import type { RedisOptions as BullmqRedisOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { parseSentinelAddress, type RedisConfig, type SentinelAddress } from './redis-config.ts';
import { NO_REPLICA_WAIT, waitForReplicas, type ReplicaWait } from './replica-wait.ts';

/** One Redis (a URL), or the master a set of Sentinels names at the moment. */
export type RedisTarget =
  | { kind: 'url'; url: string }
  | { kind: 'sentinel'; sentinels: SentinelAddress[]; master: string; password?: string; sentinelPassword?: string };

/**
 * A master demoted by a failover answers writes with READONLY until the client moves on: reconnect (with
 * Sentinels that means asking them for the new master) and send the refused command again, instead of
 * failing it. Nothing was written on the replica, so the resend repeats no effect.
 */
const reconnectOnReadonly = (error: Error): 2 | false => (error.message.includes('READONLY') ? 2 : false);

/**
 * The one way the hub (and its remote workers) connect to Redis: cluster bus, job and camera leases,
 * BullMQ queues and workers, readiness. It turns the configured target into ioredis options so that, with
 * Sentinels, every client asks them for the master (ioredis `sentinels` + `name`) on every (re)connect; a
 * failover cuts its connection (Sentinel kills the demoted master's clients, a dead master refuses them), a
 * client that lands on a replica is told so by its role check and tries again, until it is on the new master. Commands issued meanwhile wait in ioredis'
 * offline queue (left on everywhere) and are sent there; subscribers subscribe again on their own.
 */
export class RedisConnections {
  private probe: Redis | undefined;

  private constructor(readonly target: RedisTarget, readonly replicaWait: ReplicaWait = NO_REPLICA_WAIT) {}

  static fromUrl(url: string, replicaWait: ReplicaWait = NO_REPLICA_WAIT): RedisConnections {
    return new RedisConnections({ kind: 'url', url }, replicaWait);
  }

  /** From a checked config section (redisProblems() empty); the private Redis' URL when neither url nor sentinels is set. */
  static fromConfig(config: RedisConfig, privateUrl?: string): RedisConnections {
    const replicaWait = { replicas: config.waitReplicas ?? 0, timeoutMs: config.waitTimeoutMs ?? NO_REPLICA_WAIT.timeoutMs };
    if (config.sentinels.length === 0) {
      const url = config.url || privateUrl;
      if (!url) throw new Error('redis: no url, no sentinels and no private Redis');
      return RedisConnections.fromUrl(url, replicaWait);
    }
    return new RedisConnections({
      kind: 'sentinel', master: config.sentinelMaster,
      sentinels: config.sentinels.map((entry) => parseSentinelAddress(entry)!),
      password: config.password || undefined, sentinelPassword: config.sentinelPassword || undefined,
    }, replicaWait);
  }

  /**
   * Before acknowledging work written to Redis through `client`: with redis.waitReplicas, waits until that
   * many replicas have it, else throws REDIS_NOT_REPLICATED (503). Nothing to wait for when it is 0.
   */
  confirmReplicated(client: Pick<Redis, 'call'>, what: string): Promise<void> {
    return waitForReplicas(client, this.replicaWait, what);
  }

  /** The redis:// URL (with its password) in URL mode; undefined with Sentinels. For tests and tools, never logs. */
  get url(): string | undefined {
    return this.target.kind === 'url' ? this.target.url : undefined;
  }

  /** Where Redis is, without secrets, for logs and errors. */
  describe(): string {
    if (this.target.kind === 'sentinel') return `sentinel master "${this.target.master}" via ${this.target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
    const url = new URL(this.target.url);
    url.username = '';
    url.password = '';
    return url.toString();
  }

  /** ioredis options for this target plus `extra` (a connectionName, retry limits…); URL mode carries `url` (BullMQ takes it so). */
  options(name: string, extra: RedisOptions = {}): RedisOptions & { url?: string } {
    const common: RedisOptions = { connectionName: name, reconnectOnError: reconnectOnReadonly, ...extra };
    const t = this.target;
    if (t.kind === 'url') return { url: t.url, ...common };
    return {
      sentinels: t.sentinels, name: t.master, password: t.password, sentinelPassword: t.sentinelPassword,
      // Not ioredis' failoverDetector: its +switch-master disconnect, landing while the client is already
      // reconnecting (the master was killed), ends the client for good ("Connection is closed"). Sentinel cuts
      // the clients of a demoted master itself, and a dead one refuses connections: either way the client
      // reconnects and asks the sentinels again.
      failoverDetector: false, ...common,
    };
  }

  /** A command client (or a subscriber: ioredis subscribes again after every reconnect). */
  client(name: string, extra: RedisOptions = {}): Redis {
    const { url, ...options } = this.options(name, extra);
    return url ? new Redis(url, options) : new Redis(options);
  }

  /**
   * Connection options for a BullMQ Queue, Worker or QueueEvents. maxRetriesPerRequest must be null
   * there (BullMQ's blocking connections require it): a command waits for Redis however long it is away,
   * so a job is never dropped by the client while a failover runs.
   */
  bullmq(name: string): BullmqRedisOptions {
    // The same object ioredis takes; BullMQ's type only differs in allowing no `retryStrategy: null`.
    return this.options(name, { maxRetriesPerRequest: null }) as BullmqRedisOptions;
  }

  /** PING through a long-lived probe connection: true on PONG within timeoutMs (readiness). */
  async ping(timeoutMs = 500): Promise<boolean> {
    if (!this.probe) {
      this.probe = this.client('hub-probe', { maxRetriesPerRequest: 0 });
      this.probe.on('error', () => { /* readiness reports it */ });
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => { timer = setTimeout(resolve, timeoutMs, false); });
    try {
      return await Promise.race([this.probe.ping().then((reply) => reply === 'PONG', () => false), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const probe = this.probe;
    this.probe = undefined;
    await probe?.quit().catch(() => probe.disconnect());
  }
}
