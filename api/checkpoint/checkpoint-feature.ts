import { createHmac } from 'node:crypto';
import type { HubConfig } from '../hub/hub-config.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { ProvidingFeature } from '../kernel/hub-feature.ts';
import { registerAlertRoutes } from './alert-routes.ts';
import { AlertStream } from './alert-stream.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import { CloneDetector } from './clone-detector.ts';
import { registerExportRoutes } from './export-routes.ts';
import { registerFindingRoutes } from './finding-routes.ts';
import { registerPassRoutes } from './pass-routes.ts';
import { CheckpointRetention } from './checkpoint-retention.ts';
import { PassPartitionManager } from './pass-partition-manager.ts';
import { checkReceiverUrl, registerSubscriptionRoutes } from './subscription-routes.ts';
import { SubscriptionPusher } from './subscription-pusher.ts';
import { registerTrajectoryRoutes } from './trajectory-routes.ts';
import { registerWatchlistRoutes } from './watchlist-routes.ts';
import { WatchlistMatcher } from './watchlist-matcher.ts';
import { OutboundUrlGuard } from '../kernel/http/outbound-url.ts';
import { WebhookDelivery } from './webhook-delivery.ts';
import { ImageUrlSigner } from './image-url-signer.ts';
import { motorVehicleObjectsWith } from './gat1400.ts';
import { viidServerId } from '../viid/objects/viid-ids.ts';

/** The key webhooks are signed with: configured, or derived from the token secret (never the token key itself). */
export function webhookSecretOf(config: HubConfig): string {
  return config.checkpoint.webhookSecret || createHmac('sha256', config.auth.tokenSecret).update('checkpoint-webhook').digest('hex');
}

/**
 * The checkpoint (卡口) database and traffic-control API: pass ingest and search, trajectories, watchlists
 * with SSE and webhook alerts, cloned-plate findings, retention, GA/T 1400 export and subscriptions.
 * It provides the CheckpointStore, the analytics pipeline's pass sink.
 */
export function createCheckpointFeature(ctx: HubContext): ProvidingFeature<CheckpointStore> {
  const settings = ctx.config.checkpoint;
  if (settings.alertWebhookUrl) checkReceiverUrl(settings.alertWebhookUrl);
  const outbound = new OutboundUrlGuard(ctx.config.http.outboundAllowedNetworks);
  const serverId = viidServerId(ctx.config.viid);
  const delivery = new WebhookDelivery(ctx.db, webhookSecretOf(ctx.config), settings.delivery, ctx.log.child({ component: 'checkpoint-webhook' }), outbound, () => serverId);
  const watchlist = new WatchlistMatcher(ctx, delivery);
  const signer = new ImageUrlSigner(ctx.config.auth.tokenSecret, () => ctx.publicUrl(), settings.imageUrlTtlSeconds * 1000);
  const cascade = ctx.config.viid.cascade;
  const subscriptions = new SubscriptionPusher(ctx, delivery,
    (rows) => motorVehicleObjectsWith(ctx, rows, (passId, image) => signer.url(passId, image)),
    async (nationalIds) => [...(await ctx.cameras.byNationalIds(nationalIds)).values()].map((camera) => camera.id),
    () => serverId,
    cascade.url && cascade.pushMotorVehicles ? { targetUrl: `${cascade.url.replace(/\/+$/, '')}/VIID/MotorVehicles`, departmentId: cascade.departmentId || null } : undefined);
  const invalidateSubscriptions = () => subscriptions.invalidate();
  const GRANT_EVENTS = ['grant.created', 'grant.revoked', 'grant.expired'] as const;
  const store = new CheckpointStore(ctx, watchlist, new CloneDetector(ctx), subscriptions);
  const retention = new CheckpointRetention(ctx, store.imagesDir);
  const stream = new AlertStream(ctx);
  const partitions = new PassPartitionManager(ctx);
  return {
    name: 'checkpoint',
    provides: store,
    registerRoutes(app) {
      registerPassRoutes(app, ctx, store, signer);
      registerExportRoutes(app, ctx);
      registerTrajectoryRoutes(app, ctx);
      registerWatchlistRoutes(app, ctx, watchlist);
      registerAlertRoutes(app, ctx, stream);
      registerFindingRoutes(app, ctx);
      registerSubscriptionRoutes(app, ctx, subscriptions, outbound);
    },
    async start() {
      // A camera created or moved (a 卡口 device's first push) changes what a subscription's ResourceURI and
      // department cover: re-read at once rather than miss its first passes for a cache period.
      ctx.events.on('camera.changed', invalidateSubscriptions);
      // Grants widen or narrow what a subscriber's department may receive.
      for (const event of GRANT_EVENTS) ctx.events.on(event, invalidateSubscriptions);
      delivery.start();
      await partitions.start();
    },
    async stop() {
      ctx.events.off('camera.changed', invalidateSubscriptions);
      for (const event of GRANT_EVENTS) ctx.events.off(event, invalidateSubscriptions);
      stream.closeAll();
      await partitions.stop();
      await delivery.stop();
    },
    prune: (now) => retention.prune(now),
  };
}
