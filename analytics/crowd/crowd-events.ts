import type { CrowdAlertEvent } from './crowd-alert.ts';

/** Events of crowd analytics: a zone's crowd alert raised (its end is stored, not announced). */

declare module '../../api/kernel/events/hub-events.ts' {
  interface HubEventMap {
    'crowd.alert': [CrowdAlertEvent];
  }
}
