import type { NotificationMessage } from './notification-center.ts';

/** A notification stored for a user: every node's NotificationCenter writes it to that user's open streams. */

declare module '../kernel/events/hub-events.ts' {
  interface HubEventMap {
    'notification.created': [{ userId: string; notification: NotificationMessage }];
  }
}

export {};
