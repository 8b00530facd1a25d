import type { CheckpointAlert, CheckpointFindingEvent } from './checkpoint-alert.ts';

/** Events of the checkpoint: a watchlist hit, a cloned-plate finding, passes stored. */

declare module '../../api/kernel/events/hub-events.ts' {
  interface HubEventMap {
    'checkpoint.alert': [CheckpointAlert];
    'checkpoint.finding': [CheckpointFindingEvent];
    /** Passes just stored (fresh ones only): recording plans on plate passes start from them. */
    'checkpoint.passes': [Array<{ passId: string; cameraId: string; passedAt: number; plate: string }>];
  }
}
