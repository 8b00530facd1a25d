import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CameraOwnership } from './camera-ownership.ts';
import { ClusterHop } from './cluster-hop.ts';
import type { ClusterConfig } from './cluster-config.ts';
import type { RedisConnections } from '../redis/redis-connections.ts';

export interface ClusterNodeOptions {
  config: ClusterConfig;
  nodeId: string;
  redis: RedisConnections;
  tokenSecret: string;
  /** Where this node is reached (advertiseUrl, else its listening URL, known once it listens). */
  url: () => string;
  capacity: number;
  cameraIds: () => Promise<string[]>;
  log: Logger;
}

/**
 * This hub process as one node of a cluster: its id, the signer/verifier of internal hops, and its share
 * of the camera leases. Built before the features (the relay gates its pulls on it), started once the
 * hub listens (other nodes must reach it before it owns anything), stopped first (graceful handover).
 */
export class ClusterNode {
  readonly hop: ClusterHop;
  readonly ownership: CameraOwnership;
  private load: () => number = () => 0;
  private readonly lostListeners: Array<(cameraId: string) => void> = [];
  /** The longest a camera can be without an owner while a live node is placed to take it: a lease running out, then a heartbeat. */
  readonly ownerSettleMs: number;

  private constructor(readonly nodeId: string, private readonly redis: Redis, options: ClusterNodeOptions) {
    this.ownerSettleMs = options.config.leaseTtlMs + options.config.heartbeatMs;
    this.hop = new ClusterHop(options.tokenSecret, nodeId);
    this.ownership = new CameraOwnership({
      redis, config: options.config, nodeId, url: options.url, capacity: options.capacity, cameraIds: options.cameraIds,
      load: () => this.load(), onLost: (cameraId) => { for (const listener of this.lostListeners) listener(cameraId); },
      log: options.log.child({ component: 'cluster', node: nodeId }),
    });
  }

  static create(options: ClusterNodeOptions): ClusterNode {
    // Commands fail fast while Redis is away; the heartbeat's failure path then decides about the leases.
    const redis = options.redis.client(`hub-node-${options.nodeId}`, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', (error: Error) => options.log.debug({ err: error }, 'cluster redis connection error'));
    return new ClusterNode(options.nodeId, redis, options);
  }

  /** The relay reports how many pulls it runs (the node's load in the registry). */
  reportLoad(load: () => number): void {
    this.load = load;
  }

  /** Called with each camera whose lease this node gave up or lost: stop its pull at once. */
  onCameraLost(listener: (cameraId: string) => void): void {
    this.lostListeners.push(listener);
  }

  async start(): Promise<void> {
    await this.redis.connect();
    await this.ownership.start();
  }

  async stop(): Promise<void> {
    await this.ownership.stop().catch(() => {});
    this.redis.disconnect();
  }
}
