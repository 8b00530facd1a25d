import type { HubContext } from '../api/hub/hub-context.ts';
import type { ProvidingFeature } from '../api/kernel/hub-feature.ts';
import type { CameraSupervisor } from '../ingest/health/camera-supervisor.ts';
import type { CameraRegistry } from '../ingest/registry/camera-registry.ts';
import { EmbeddedMediaServer } from './embedded-media-server.ts';
import type { LiveFeedSource } from './live-feed.ts';
import { registerMediaRoutes } from './media-routes.ts';
import { PlaySessions } from './play-sessions.ts';
import { SessionEnds } from '../api/viewing/session-ends.ts';
import { registerRelayRoutes } from './relay-routes.ts';
import { RelayPool } from './relay-pool.ts';
import { ClusterRelay } from './cluster/cluster-relay.ts';
import { registerInternalMediaRoutes } from './cluster/internal-media-routes.ts';
import { registerClusterRoutes } from './cluster/cluster-routes.ts';

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
  const node = ctx.cluster;
  const relays = new RelayPool({
    config, dataDir: ctx.dataDir, media, pullUrl: (id) => registry.pullUrl(id), feeds, supervisor, log: ctx.log,
    owns: node ? (id) => node.ownership.owns(id) : undefined,
  });
  // In a cluster each camera is pulled by the node holding its lease; alone, by this hub as always.
  const cluster = node ? new ClusterRelay(node, relays, config.viewerIdleSeconds, ctx.log) : undefined;
  const sessions = new PlaySessions({ grants: ctx.grants, audit: ctx.audit, tokens: ctx.tokens, config, log: ctx.log }, cluster ?? relays);

  const guard = (what: string, work: Promise<unknown>) => {
    work.catch((error: Error) => ctx.log.error({ err: error }, `relay: ${what} failed`));
  };
  const ends = new SessionEnds('relay', sessions, ctx.events, ctx.log);
  const onCameraChanged = ({ cameraId, change }: { cameraId: string; change: string }) => {
    // A new stream URL or new credentials: the running pull must not stay on the old ones.
    if (change === 'updated') guard('restarting a pull on the changed camera URL', relays.refreshSource(cameraId));
  };

  return {
    name: 'relay',
    provides: relays,
    registerRoutes: (app) => {
      registerRelayRoutes(app, ctx, relays, sessions);
      if (cluster) registerClusterRoutes(app, cluster);
    },
    registerRootRoutes: (app) => {
      registerMediaRoutes(app, { config, relays, sessions, media, cluster });
      if (cluster) registerInternalMediaRoutes(app, { config, relays, media, cluster });
    },
    start: async () => {
      await media.start();
      sessions.start();
      cluster?.start();
      ends.follow();
      ctx.events.on('camera.changed', onCameraChanged);
    },
    stop: async () => {
      ends.unfollow();
      ctx.events.off('camera.changed', onCameraChanged);
      await sessions.stopAll('hub_stop');
      await cluster?.stop();
      await relays.stop();
      await media.stop();
    },
    readiness: async () => ({ ok: media.port > 0, detail: `${relays.status().length} camera pulls` }),
  };
}
