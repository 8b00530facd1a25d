import type { CheckpointAlert, CheckpointFindingEvent } from './checkpoint-alert.ts';

/** Events of the checkpoint: a watchlist hit, a cloned-plate finding. */

declare module '../../api/kernel/events/hub-events.ts' {
  interface HubEventMap {
    'checkpoint.alert': [CheckpointAlert];
    'checkpoint.finding': [CheckpointFindingEvent];
  }
}
