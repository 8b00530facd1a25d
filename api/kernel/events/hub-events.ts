import { EventEmitter } from 'node:events';

/**
 * In-process events between features. The kernel names none of them: each publishing feature declares its
 * events, with their payload types, by augmenting this interface in its own `*-events.ts` file (for example
 * ingest/registry/camera-events.ts), so a payload's type lives beside the code that emits it. Consumers
 * subscribe through HubContext.events.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface -- filled by module augmentation
export interface HubEventMap {}

export type HubEventName = keyof HubEventMap & string;

export class HubEvents extends EventEmitter<HubEventMap> {
  /** Payloads that another cluster node emitted (api/kernel/cluster/cluster-bus.ts re-emits them here). */
  private readonly fromOtherNodes = new WeakSet<object>();

  constructor() {
    super({ captureRejections: true });
    // Many SSE clients may subscribe at once.
    this.setMaxListeners(10_000);
  }

  /**
   * Re-emits an event another node emitted, to this node's listeners. Listeners run as for a local event
   * (each node cuts its own play sessions, feeds its own SSE clients); isRemote() tells the one that must
   * not act twice (the bus itself, so an event never goes back out).
   */
  emitFromOtherNode(name: HubEventName, payload: object): void {
    this.fromOtherNodes.add(payload);
    (this.emit as (event: string, ...args: unknown[]) => boolean)(name, payload);
  }

  /** True for a payload emitFromOtherNode() delivered. */
  isRemote(payload: unknown): boolean {
    return typeof payload === 'object' && payload !== null && this.fromOtherNodes.has(payload);
  }
}
