import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HubEventName, HubEvents } from '../events/hub-events.ts';
import type { RedisConnections } from '../redis/redis-connections.ts';
import './cluster-events.ts';

/** What goes over the channel: who emitted it, which event, its payload. */
interface BusMessage {
  origin: string;
  name: HubEventName;
  payload: object;
}

export interface ClusterBusOptions {
  events: HubEvents;
  redis: RedisConnections;
  nodeId: string;
  /** The events other nodes must hear (the composition root names them; the kernel names none). */
  names: readonly HubEventName[];
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Redis channel; one per cluster sharing a Redis. */
  channel?: string;
}

export const CLUSTER_CHANNEL = 'hub:cluster:events';
const RETRY_MAX_MS = 2_000;

/**
 * Bridges chosen hub events between cluster nodes over Redis pub/sub. A local emit of a bridged event is
 * published with this node's id; a message from another node is re-emitted here with
 * HubEvents.emitFromOtherNode(). Loops cannot happen: a re-emitted payload is marked remote and not
 * published again, and a node drops its own messages. Each node handles each event once, on its own
 * state (its play sessions, its SSE clients).
 *
 * Pub/sub keeps nothing for a node that is not listening, so when the subscription comes back after Redis
 * went away (ioredis reconnects and subscribes again on its own) the node emits `cluster.resync`: what is
 * durable (grant states, alerts, notifications) is in the database and the listeners re-read it.
 */
export class ClusterBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly forward = new Map<HubEventName, (payload: object) => void>();
  private subscribedOnce = false;
  private cut = false;
  /** Messages received from other nodes and published by this one (for /metrics and tests). */
  readonly counts = { received: 0, published: 0, resyncs: 0 };

  constructor(private readonly o: ClusterBusOptions) {
    this.channel = o.channel ?? CLUSTER_CHANNEL;
    const redisOptions = { retryStrategy: (times: number) => Math.min(RETRY_MAX_MS, 50 * 2 ** times), lazyConnect: true };
    this.publisher = o.redis.client(`hub-bus-pub-${o.nodeId}`, redisOptions);
    this.subscriber = o.redis.client(`hub-bus-sub-${o.nodeId}`, { ...redisOptions, autoResubscribe: true });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => o.log.debug({ err: error }, 'cluster bus: redis error'));
    }
    this.subscriber.on('close', () => { if (this.subscribedOnce) this.cut = true; });
    this.subscriber.on('ready', () => this.onSubscriberReady());
    this.subscriber.on('message', (channel: string, text: string) => { if (channel === this.channel) this.receive(text); });
  }

  async start(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(this.channel);
    this.subscribedOnce = true;
    for (const name of this.o.names) {
      const listener = (payload: object) => {
        if (this.o.events.isRemote(payload)) return;
        this.publish(name, payload);
      };
      this.forward.set(name, listener);
      (this.o.events.on as (event: string, fn: (payload: object) => void) => HubEvents)(name, listener);
    }
  }

  async stop(): Promise<void> {
    for (const [name, listener] of this.forward) (this.o.events.off as (event: string, fn: (payload: object) => void) => HubEvents)(name, listener);
    this.forward.clear();
    this.subscribedOnce = false;
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private publish(name: HubEventName, payload: object): void {
    const message: BusMessage = { origin: this.o.nodeId, name, payload };
    // While Redis is away ioredis queues the command and sends it on reconnect.
    this.publisher.publish(this.channel, JSON.stringify(message)).then(
      () => { this.counts.published++; },
      (error: Error) => this.o.log.warn({ err: error, event: name }, 'cluster bus: event not published to the other nodes'),
    );
  }

  private receive(text: string): void {
    let message: BusMessage;
    try {
      message = JSON.parse(text) as BusMessage;
    } catch {
      this.o.log.warn('cluster bus: unreadable message dropped');
      return;
    }
    if (message.origin === this.o.nodeId || !this.forward.has(message.name)) return;
    if (typeof message.payload !== 'object' || message.payload === null) return;
    this.counts.received++;
    this.o.events.emitFromOtherNode(message.name, message.payload);
  }

  private onSubscriberReady(): void {
    if (!this.cut) return;
    this.cut = false;
    this.counts.resyncs++;
    this.o.log.info('cluster bus: back on Redis after a cut; listeners re-read what they may have missed');
    this.o.events.emit('cluster.resync', { at: Date.now() });
  }
}
