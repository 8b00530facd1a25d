import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PeriodicTask } from '../process/periodic-task.ts';
import { CameraOwnership } from './camera-ownership.ts';
import { NodeClaims } from './node-claims.ts';
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
  /** What this node holds because a peer connected here (GB/T 28181 registrations). */
  readonly claims: NodeClaims;
  private readonly claimRenewal: PeriodicTask<void>;
  private pulling: () => string[] = () => [];
  private pins: Array<() => Promise<Map<string, string | null>>> = [];
  private readonly lostListeners: Array<(cameraId: string) => void> = [];
  /** The longest a camera can be without an owner while a live node is placed to take it: a lease running out, then a heartbeat. */
  readonly ownerSettleMs: number;

  private constructor(readonly nodeId: string, private readonly redis: Redis, options: ClusterNodeOptions) {
    this.ownerSettleMs = options.config.leaseTtlMs + options.config.heartbeatMs;
    this.hop = new ClusterHop(options.tokenSecret, nodeId);
    this.claims = new NodeClaims(redis, nodeId, options.config.leaseTtlMs);
    this.claimRenewal = new PeriodicTask({
      run: () => this.claims.renew(), everyMs: options.config.heartbeatMs,
      onError: (error) => options.log.warn({ err: error }, 'cluster claims not renewed'),
    });
    this.ownership = new CameraOwnership({
      redis, config: options.config, nodeId, url: options.url, capacity: options.capacity, cameraIds: options.cameraIds,
      pins: () => this.pinned(),
      pulling: () => this.pulling(), onLost: (cameraId) => { for (const listener of this.lostListeners) listener(cameraId); },
      log: options.log.child({ component: 'cluster', node: nodeId }),
    });
  }

  static create(options: ClusterNodeOptions): ClusterNode {
    // Commands fail fast while Redis is away; the heartbeat's failure path then decides about the leases.
    const redis = options.redis.client(`hub-node-${options.nodeId}`, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', (error: Error) => options.log.debug({ err: error }, 'cluster redis connection error'));
    return new ClusterNode(options.nodeId, redis, options);
  }

  /** The relay reports the cameras it pulls (the node's load in the registry; placement leaves them here). */
  reportPulls(pulling: () => string[]): void {
    this.pulling = pulling;
  }

  /** A feature whose cameras can only be pulled on a given node says which (see CameraOwnershipDeps.pins). */
  pinCameras(provider: () => Promise<Map<string, string | null>>): void {
    this.pins.push(provider);
  }

  private async pinned(): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const provider of this.pins) for (const [cameraId, node] of await provider()) out.set(cameraId, node);
    return out;
  }

  /** Called with each camera whose lease this node gave up or lost: stop its pull at once. */
  onCameraLost(listener: (cameraId: string) => void): void {
    this.lostListeners.push(listener);
  }

  async start(): Promise<void> {
    await this.redis.connect();
    this.claimRenewal.start();
    await this.ownership.start();
  }

  async stop(): Promise<void> {
    await this.claimRenewal.stop();
    await this.claims.releaseAll();
    await this.ownership.stop().catch(() => {});
    this.redis.disconnect();
  }
}
