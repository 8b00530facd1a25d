import type { HubContext } from '../hub/hub-context.ts';
import type { ProvidingFeature } from '../kernel/hub-feature.ts';
import { daysBefore } from '../hub/retention-job.ts';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';
import { GrantService } from './grant-service.ts';
import { registerGrantRoutes } from './grant-routes.ts';
import { registerCameraGrantRoutes } from './camera-grant-routes.ts';
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
  const notifications = new NotificationCenter(ctx.db, ctx.events);
  const grants = new GrantService(ctx, notifications);
  const requests = new AccessRequestService(ctx, grants, notifications);
  const sweepMs = ctx.config.access.expirySweepSeconds * 1000;
  const expirySweep = new PeriodicTask({
    // Once cluster-wide per period; the sweep's claim in the database makes each announcement once even so.
    run: () => ctx.jobs.once('grant-expiry', sweepMs, () => grants.sweepExpired()),
    everyMs: sweepMs,
    onError: (error) => ctx.log.error({ err: error }, 'grant expiry sweep failed'),
  });

  return {
    name: 'access',
    provides: { requests, grants, notifications },
    registerRoutes(app) {
      registerRequestRoutes(app, requests);
      registerGrantRoutes(app, ctx, grants);
      registerCameraGrantRoutes(app, ctx);
      registerNotificationRoutes(app, notifications, ctx.config.access.sseHeartbeatSeconds);
    },
    async start() {
      notifications.attach();
      expirySweep.start();
    },
    async stop() {
      await expirySweep.stop();
      notifications.detach();
    },
    prune: async (now) => ({ notifications: await notifications.prune(daysBefore(now, ctx.config.access.retentionDays.notifications)) }),
  };
}
