import type { CrowdAlertEvent } from './crowd-alert.ts';

/** Events of crowd analytics: a zone's crowd alert raised or ended. */

declare module '../../api/kernel/events/hub-events.ts' {
  interface HubEventMap {
    'crowd.alert': [CrowdAlertEvent];
  }
}
