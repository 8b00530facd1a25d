import { EventEmitter } from 'node:events';

/**
 * In-process events between features. The kernel names none of them: each publishing feature declares its
 * events, with their payload types, by augmenting this interface in its own `*-events.ts` file (for example
 * ingest/registry/camera-events.ts), so a payload's type lives beside the code that emits it. Consumers
 * subscribe through HubContext.events.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface -- filled by module augmentation
export interface HubEventMap {}

export class HubEvents extends EventEmitter<HubEventMap> {
  constructor() {
    super({ captureRejections: true });
    // Many SSE clients may subscribe at once.
    this.setMaxListeners(10_000);
  }
}
