import type { HubContext } from '../hub/hub-context.ts';
import type { ProvidingFeature } from '../hub/hub-feature.ts';
import { GrantService } from './grant-service.ts';
import { registerGrantRoutes } from './grant-routes.ts';
import { NotificationCenter } from './notification-center.ts';
import { registerNotificationRoutes } from './notification-routes.ts';
import { AccessRequestService } from './request-service.ts';
import { registerRequestRoutes } from './request-routes.ts';

/** What the access feature provides (to tests today; see api/hub/hub-services.ts). */
export interface AccessServices {
  requests: AccessRequestService;
  grants: GrantService;
  notifications: NotificationCenter;
}

/**
 * The permission workflow: departments ask for access to each other's cameras, owners decide, grants
 * start and end on their own or are revoked. Camera decisions stay in auth/camera-access.ts.
 */
export function createAccessFeature(ctx: HubContext): ProvidingFeature<AccessServices> {
  const notifications = new NotificationCenter(ctx.db);
  const grants = new GrantService(ctx, notifications);
  const requests = new AccessRequestService(ctx, grants, notifications);
  let sweepTimer: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();

  return {
    name: 'access',
    provides: { requests, grants, notifications },
    registerRoutes(app) {
      registerRequestRoutes(app, requests);
      registerGrantRoutes(app, ctx, grants);
      registerNotificationRoutes(app, notifications, ctx.config.access.sseHeartbeatSeconds);
    },
    async start() {
      let busy = false;
      sweepTimer = setInterval(() => {
        // One sweep at a time: a slow database must not pile them up.
        if (busy) return;
        busy = true;
        sweeping = grants.sweepExpired()
          .catch((error: Error) => ctx.log.error({ err: error }, 'grant expiry sweep failed'))
          .finally(() => { busy = false; });
      }, ctx.config.access.expirySweepSeconds * 1000);
      sweepTimer.unref();
    },
    async stop() {
      clearInterval(sweepTimer);
      await sweeping;
    },
  };
}
