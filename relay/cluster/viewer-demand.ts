import type { Logger } from 'pino';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import type { RelayPool, StreamLease } from '../relay-pool.ts';

interface Demand {
  lease: StreamLease;
  lastSeenAt: number;
  /** Open FLV streams: the demand lasts while one is open, however long since the last fetch. */
  open: number;
}

/**
 * In a cluster, viewers' demand on the camera's owner: media fetches served here, whether the viewer's
 * session lives on this node (`local`) or on another node that proxies to this one (`node:<id>`), hold a
 * relay lease per camera and origin. It is given back `idleMs` after the last fetch with no FLV stream
 * open, as a play session's lease is after its viewer goes idle; the session itself stays on the node
 * the viewer reached, with its token, binding and revocation rules.
 */
export class ViewerDemand {
  private readonly demands = new Map<string, Demand>();
  private readonly pending = new Map<string, Promise<Demand>>();
  private readonly sweeper = new PeriodicTask({ run: async () => this.sweep(), everyMs: 1_000, onError: (error) => this.log.warn({ err: error }, 'viewer demand sweep failed') });

  constructor(private readonly relays: Pick<RelayPool, 'lease'>, private readonly idleMs: number, private readonly log: Pick<Logger, 'warn'>) {}

  start(): void {
    this.sweeper.start();
  }

  /** Holds (or refreshes) the demand of `origin` on the camera; resolves once its pull is started. */
  async touch(cameraId: string, origin: string): Promise<void> {
    const demand = await this.demand(cameraId, origin);
    demand.lastSeenAt = Date.now();
  }

  /** Holds the demand while an FLV stream is open; call the returned function when it closes. */
  async openStream(cameraId: string, origin: string): Promise<() => void> {
    const demand = await this.demand(cameraId, origin);
    demand.open++;
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      demand.open--;
      demand.lastSeenAt = Date.now();
    };
  }

  private async demand(cameraId: string, origin: string): Promise<Demand> {
    const key = `${cameraId}\u0000${origin}`;
    const existing = this.demands.get(key);
    if (existing) return existing;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.relays.lease(cameraId, `viewers@${origin}`).then((lease) => {
        const demand: Demand = { lease, lastSeenAt: Date.now(), open: 0 };
        this.demands.set(key, demand);
        return demand;
      }).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** Forgets the demands on a camera whose pull this node no longer runs (their leases are void). */
  forgetCamera(cameraId: string): void {
    for (const [key, demand] of this.demands) {
      if (demand.lease.streamId === cameraId) {
        demand.lease.release();
        this.demands.delete(key);
      }
    }
  }

  private sweep(now = Date.now()): void {
    for (const [key, demand] of this.demands) {
      if (demand.open === 0 && now - demand.lastSeenAt > this.idleMs) {
        demand.lease.release();
        this.demands.delete(key);
      }
    }
  }

  async stop(): Promise<void> {
    await this.sweeper.stop();
    for (const demand of this.demands.values()) demand.lease.release();
    this.demands.clear();
  }
}
