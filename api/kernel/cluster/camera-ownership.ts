import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PeriodicTask } from '../process/periodic-task.ts';
import { CameraLeases } from './camera-leases.ts';
import type { ClusterConfig } from './cluster-config.ts';
import { FreeCapacityLevel } from './free-capacity-level.ts';
import { NodeRegistry, type NodeInfo } from './node-registry.ts';
import { placeCameras } from './placement.ts';

export interface CameraOwnershipDeps {
  redis: Redis;
  config: ClusterConfig;
  nodeId: string;
  /** This node's base URL for the others (advertiseUrl, else where it listens). */
  url: () => string;
  /** Pulls this node may run (relay.maxStreams). */
  capacity: number;
  /** The cameras it pulls now (its load; they stay on it). */
  pulling: () => string[];
  /** Every camera that may be pulled. */
  cameraIds: () => Promise<string[]>;
  /**
   * Cameras that can only be pulled on one node (a GB/T 28181 channel on the node its device registered
   * to): camera id → that node, or null while no node can (the device is registered nowhere).
   */
  pins?: () => Promise<Map<string, string | null>>;
  /** The lease on a camera is gone (lost, expired, handed over): its pull must stop now. */
  onLost: (cameraId: string) => void;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
}

/** Where a camera's pull runs: the owning node and its URL. */
export interface CameraOwner {
  nodeId: string;
  url: string;
  fence: number;
}

/**
 * This node's share of the cameras. Each heartbeat it renews its node entry and the leases it holds (a
 * lease it could not renew is dropped and its pull stopped at once), publishes the cameras it pulls and its
 * free-capacity level, reads the live nodes, computes the placement every node computes alike
 * (placement.ts: pulled cameras stay, idle ones lean to nodes with room), hands over the idle cameras now
 * placed on another live node (releases them: that node takes them at its next heartbeat) and takes the
 * free leases of the cameras placed here. A camera it pulls is never handed over for balance, and an idle
 * one only once two heartbeats in a row place it on the same other node (a snapshot read while a peer was
 * publishing does not make it change hands). A node killed without a goodbye stops renewing: its entry and
 * leases expire after leaseTtlMs and the others take its cameras.
 */
export class CameraOwnership {
  private readonly held = new Map<string, number>();
  /** Held cameras the last heartbeat placed on another node: camera → that node. */
  private handingOver = new Map<string, string>();
  private readonly registry: NodeRegistry;
  private readonly leases: CameraLeases;
  private readonly task: PeriodicTask<void>;
  private lastRenewedAt = Date.now();
  private nodes: NodeInfo[] = [];
  private readonly startedAt = Date.now();
  private readonly freeLevel = new FreeCapacityLevel();

  constructor(private readonly deps: CameraOwnershipDeps) {
    this.registry = new NodeRegistry(deps.redis, deps.config.leaseTtlMs);
    this.leases = new CameraLeases(deps.redis, deps.nodeId, deps.config.leaseTtlMs);
    this.task = new PeriodicTask({ run: () => this.beat(), everyMs: deps.config.heartbeatMs, onError: (error) => this.onBeatFailed(error) });
  }

  get nodeId(): string {
    return this.deps.nodeId;
  }

  /** True while this node holds the camera's lease. */
  owns(cameraId: string): boolean {
    return this.held.has(cameraId);
  }

  ownedCameras(): string[] {
    return [...this.held.keys()];
  }

  /** The live nodes as of the last heartbeat. */
  liveNodes(): NodeInfo[] {
    return this.nodes;
  }

  /** The node holding the camera's lease now (read from Redis), with its URL; undefined when nobody does. */
  async ownerOf(cameraId: string): Promise<CameraOwner | undefined> {
    const holder = await this.leases.holder(cameraId);
    if (!holder) return undefined;
    const node = holder.nodeId === this.deps.nodeId ? { url: this.deps.url() } : await this.registry.node(holder.nodeId);
    return node ? { nodeId: holder.nodeId, url: node.url, fence: holder.fence } : undefined;
  }

  async start(): Promise<void> {
    await this.beat();
    this.task.start();
  }

  /** Runs a heartbeat now (tests, and right after start-up). */
  beatNow(): Promise<unknown> {
    return this.task.runNow();
  }

  private async beat(): Promise<void> {
    const { deps } = this;
    const pulling = deps.pulling();
    const me: NodeInfo = {
      id: deps.nodeId, url: deps.url(), load: pulling.length, capacity: deps.capacity, startedAt: this.startedAt,
      freeLevel: this.freeLevel.update(pulling.length, deps.capacity), pulling,
    };
    await this.registry.heartbeat(me);
    for (const cameraId of await this.leases.renew(this.held)) this.drop(cameraId, 'lease lost');
    this.lastRenewedAt = Date.now();
    this.nodes = await this.registry.liveNodes();
    const cameras = await deps.cameraIds();
    const pins = (await deps.pins?.()) ?? new Map<string, string | null>();
    const live = new Set(this.nodes.map((n) => n.id));
    const placement = placeCameras(cameras.filter((id) => !pins.has(id)), this.nodes.map((n) => (n.id === me.id ? me : n)));
    for (const [cameraId, node] of pins) if (node && live.has(node)) placement.set(cameraId, node);
    const placedElsewhere = new Map<string, string>();
    for (const [cameraId, fence] of [...this.held]) {
      const target = placement.get(cameraId);
      if (target === deps.nodeId) continue;
      // Handed over only to a live node (or given up for a camera that no longer exists); a camera pulled
      // here now stays while this node has room for it, whatever a stale snapshot says (pins excepted).
      if (target !== undefined && !live.has(target)) continue;
      if (target !== undefined && !pins.has(cameraId) && deps.pulling().includes(cameraId) && pulling.length <= deps.capacity) continue;
      if (target !== undefined && !pins.has(cameraId)) {
        placedElsewhere.set(cameraId, target);
        if (this.handingOver.get(cameraId) !== target) continue;
      }
      this.drop(cameraId, target ? `handed over to ${target}` : 'camera removed');
      await this.leases.release(cameraId, fence);
    }
    this.handingOver = placedElsewhere;
    for (const [cameraId, target] of placement) {
      if (target !== deps.nodeId || this.held.has(cameraId)) continue;
      const fence = await this.leases.acquire(cameraId);
      if (fence !== undefined) {
        this.held.set(cameraId, fence);
        deps.log.debug({ cameraId, fence }, 'cluster: camera lease taken');
      }
    }
  }

  /** Redis unreachable: leases the others may already have taken over must not be trusted past their TTL. */
  private onBeatFailed(error: Error): void {
    this.deps.log.warn({ err: error }, 'cluster heartbeat failed');
    if (Date.now() - this.lastRenewedAt >= this.deps.config.leaseTtlMs) {
      for (const cameraId of [...this.held.keys()]) this.drop(cameraId, 'leases unrenewed past their TTL');
    }
  }

  private drop(cameraId: string, why: string): void {
    if (!this.held.delete(cameraId)) return;
    this.deps.log.info({ cameraId, why }, 'cluster: camera lease given up; its pull stops');
    this.deps.onLost(cameraId);
  }

  /** Graceful leave: stop beating, give every lease back and leave the registry, so the others take over at once. */
  async stop(): Promise<void> {
    await this.task.stop();
    const held = [...this.held];
    this.held.clear();
    for (const [cameraId] of held) this.deps.onLost(cameraId);
    await Promise.all(held.map(([cameraId, fence]) => this.leases.release(cameraId, fence))).catch(() => {});
    await this.registry.leave(this.deps.nodeId).catch(() => {});
  }
}
