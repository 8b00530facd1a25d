import '../api/kernel/cluster/cluster-events.ts';
import type { HubContext } from '../api/hub/hub-context.ts';
import type { ProvidingFeature } from '../api/kernel/hub-feature.ts';
import type { CameraSupervisor } from '../ingest/health/camera-supervisor.ts';
import type { CameraRegistry } from '../ingest/registry/camera-registry.ts';
import { EmbeddedMediaServer } from './embedded-media-server.ts';
import type { LiveFeedSource } from './live-feed.ts';
import { registerMediaRoutes } from './media-routes.ts';
import { PlaySessions } from './play-sessions.ts';
import type { PlayStopReason } from './play-session.ts';
import { registerRelayRoutes } from './relay-routes.ts';
import { RelayPool } from './relay-pool.ts';

export interface RelayDependencies {
  /** Where each camera is pulled from. */
  cameras: CameraRegistry;
  /** Told whether each pull runs or stalls. */
  supervisor: CameraSupervisor;
  /** Cameras whose video the hub receives itself (the GB/T 28181 feature); without it every camera is pulled by URL. */
  feeds?: LiveFeedSource;
}

/**
 * On-demand relay: one pull per camera fanned out to HLS and FLV viewers and to other features (it
 * provides the RelayPool, which analytics reads frames from).
 */
export function createRelayFeature(ctx: HubContext, { cameras: registry, supervisor, feeds }: RelayDependencies): ProvidingFeature<RelayPool> {
  const config = ctx.config.relay;
  const media = new EmbeddedMediaServer(ctx.log);
  const relays = new RelayPool({ config, dataDir: ctx.dataDir, media, pullUrl: (id) => registry.pullUrl(id), feeds, supervisor, log: ctx.log });
  const sessions = new PlaySessions({ grants: ctx.grants, audit: ctx.audit, tokens: ctx.tokens, config, log: ctx.log }, relays);

  const guard = (what: string, work: Promise<unknown>) => {
    work.catch((error: Error) => ctx.log.error({ err: error }, `relay: ${what} failed`));
  };
  const onGrantEnded = (reason: PlayStopReason) => ({ grantId }: { grantId: string }) => guard('ending sessions of a grant', sessions.endForGrant(grantId, reason));
  // Grant ends announced while this node was cut from the other nodes' events: the database has them.
  const onResync = () => sessions.recheckGrantsSoon();
  const onRevoked = onGrantEnded('grant_revoked');
  const onExpired = onGrantEnded('grant_expired');
  const onCameraChanged = ({ cameraId, change }: { cameraId: string; change: string }) => {
    if (change === 'deleted') guard('ending sessions of a removed camera', sessions.endForCamera(cameraId, 'camera_removed'));
    // A new stream URL or new credentials: the running pull must not stay on the old ones.
    if (change === 'updated') guard('restarting a pull on the changed camera URL', relays.refreshSource(cameraId));
  };

  return {
    name: 'relay',
    provides: relays,
    registerRoutes: (app) => registerRelayRoutes(app, ctx, relays, sessions),
    registerRootRoutes: (app) => registerMediaRoutes(app, { config, relays, sessions, media }),
    start: async () => {
      await media.start();
      sessions.start();
      ctx.events.on('grant.revoked', onRevoked);
      ctx.events.on('grant.expired', onExpired);
      ctx.events.on('camera.changed', onCameraChanged);
      ctx.events.on('cluster.resync', onResync);
    },
    stop: async () => {
      ctx.events.off('grant.revoked', onRevoked);
      ctx.events.off('grant.expired', onExpired);
      ctx.events.off('camera.changed', onCameraChanged);
      ctx.events.off('cluster.resync', onResync);
      await sessions.stopAll('hub_stop');
      await relays.stop();
      await media.stop();
    },
    readiness: async () => ({ ok: media.port > 0, detail: `${relays.status().length} camera pulls` }),
  };
}
