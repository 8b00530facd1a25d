import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import type { HubContext } from '../hub/hub-context.ts';
import { OutboundUrlGuard } from '../kernel/http/outbound-url.ts';
import type { ProvidingFeature } from '../kernel/hub-feature.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import type { CameraSupervisor } from '../../ingest/health/camera-supervisor.ts';
import { registerDeviceRoutes } from './device-routes.ts';
import { DigestAuth } from './digest-auth.ts';
import { MotorVehicleIntake } from './motor-vehicle-intake.ts';
import { registerMotorVehicleRoutes } from './motor-vehicle-routes.ts';
import { NationalIds } from './national-ids.ts';
import { viidServerId } from './objects/viid-ids.ts';
import { PeerRepository } from './peer-repository.ts';
import { registerPeerRoutes } from './peer-routes.ts';
import { PeerService } from './peer-service.ts';
import { PeerSessions } from './peer-sessions.ts';
import { registerSystemRoutes } from './system-routes.ts';
import { TollgateRepository } from './tollgate-repository.ts';
import { VehicleImages } from './pictures/vehicle-images.ts';
import { installViidScope } from './viid-http.ts';
import { ViidMetrics } from './viid-metrics.ts';
import { registerCascadeRoutes } from './cascade/cascade-routes.ts';
import { viidMetrics } from './cascade/cascade-metrics.ts';
import { UpstreamLink, type UpstreamStatus } from './cascade/upstream-link.ts';
import { registerSubscribeRoutes } from './subscriptions/subscribe-routes.ts';
import { registerNotificationRoutes } from './subscriptions/notification-routes.ts';
import { SubscriptionService } from './subscriptions/subscription-service.ts';
import { DownwardLinks } from './subscriptions/downward-links.ts';
import { DownwardSubscriber } from './subscriptions/downward-subscriber.ts';
import { registerDownwardRoutes } from './subscriptions/downward-routes.ts';
import { IssuedSubscriptionRepository } from './subscriptions/issued-subscription-repository.ts';
import { DemoTollgates } from '../../devtools/demo/demo-tollgates.ts';

export interface ViidDependencies {
  cameras: CameraRegistry;
  /** Writes the status of 卡口 devices' cameras, which their peers' sessions decide. */
  supervisor: CameraSupervisor;
  checkpoint: CheckpointStore;
}

/** What the viid feature offers others (subscriptions, cascade, benchmarks, tests). */
export interface ViidServices {
  /** Our 20-digit VIID server ID. */
  serverId: string;
  peers: PeerRepository;
  /** identify(request) = the User-Identify check of every /VIID data route. */
  sessions: PeerSessions;
  intake: MotorVehicleIntake;
  /** The link to the upstream 视图库 (cascade), 'disabled' when none is configured. */
  upstream: () => UpstreamStatus;
}

/**
 * The GA/T 1400 视图库 server (inbound): 卡口 devices and platforms register with HTTP Digest, keep alive and
 * push MotorVehicleObjects at the literal `/VIID/...` paths, which become checkpoint passes through the
 * CheckpointStore. Admins keep the peers at /api/v1/viid/peers.
 */
export function createViidFeature(ctx: HubContext, deps: ViidDependencies): ProvidingFeature<ViidServices> {
  const settings = ctx.config.viid;
  const peers = new PeerRepository(ctx.db, ctx.secrets);
  const sessions = new PeerSessions(ctx, peers);
  const service = new PeerService(ctx, peers, sessions, (peerId) => {
    deps.checkpoint.subscriptions.invalidate();
    downward.peerChanged(peerId);
  });
  const metrics = new ViidMetrics(sessions);
  const nationalIds = new NationalIds(ctx);
  const digest = new DigestAuth(settings.realm, settings.nonceTtlSeconds * 1_000);
  const outbound = new OutboundUrlGuard(ctx.config.http.outboundAllowedNetworks);
  const images = new VehicleImages(join(ctx.dataDir, 'images'), { maxImageBytes: settings.maxImageBytes, maxImagePixels: settings.maxImagePixels, fetchTimeoutMs: settings.imageFetchTimeoutMs, writerThreads: settings.pictureWriterThreads }, outbound);
  const tollgates = new TollgateRepository(ctx.db);
  const intake = new MotorVehicleIntake(ctx, deps.checkpoint, deps.cameras, deps.supervisor, images, metrics);
  sessions.follow({ opened: (session) => intake.devices.peerOnline(session), ended: (session, why) => intake.devices.peerOffline(session, why) });
  const serverId = viidServerId(settings);
  const link = new UpstreamLink(settings.cascade, serverId, ctx.log.child({ component: 'viid-upstream' }), async (event, details) => {
    await ctx.audit.append({ action: `viid.upstream.${event}`, targetType: 'viid_upstream', targetId: settings.cascade.upstreamId || settings.cascade.url, details });
  });
  const subscriptions = new SubscriptionService(ctx, outbound, () => deps.checkpoint.subscriptions.invalidate());
  const downwardLinks = new DownwardLinks(ctx, serverId, peers);
  const downward = new DownwardSubscriber(ctx, serverId, peers, new IssuedSubscriptionRepository(ctx.db), downwardLinks);
  deps.checkpoint.subscriptions.setSubscriberFilter(async (peerId) => {
    const peer = await peers.find(peerId);
    return peer ? peer.disabled === 0 : settings.cascade.upstreamId !== '' && peerId === settings.cascade.upstreamId;
  });
  const upstreamIdentity = {
    subscriberFor(request: FastifyRequest) {
      const header = request.headers['user-identify'];
      const id = (Array.isArray(header) ? header[0] : header)?.trim();
      return id && link.isUpstream(id, settings.bindSessionToAddress ? request.ip : undefined) ? { peerId: id, departmentId: settings.cascade.departmentId || null, address: request.ip } : undefined;
    },
  };
  const demo = ctx.config.demo.sampleCameras > 0 && ctx.config.demo.tollgateDevices > 0
    ? new DemoTollgates(ctx, ctx.config.demo.tollgateDevices, async (peer) => {
      const existing = await peers.find(peer.id);
      const admin = await ctx.db.selectFrom('users').select(['id', 'username', 'department_id']).where('role', '=', 'admin').orderBy('created_at').executeTakeFirstOrThrow();
      const actor = { user: { id: admin.id, username: admin.username, departmentId: admin.department_id, role: 'admin' as const, dutyOfficer: false }, ip: '127.0.0.1' };
      if (existing) await service.update(peer.id, { password: peer.password, devices: [peer.id] }, actor);
      else await service.create({ id: peer.id, kind: 'device', name: peer.name, departmentId: peer.departmentId, password: peer.password, devices: [peer.id] }, actor);
    })
    : undefined;
  return {
    name: 'viid',
    provides: { serverId, peers, sessions, intake, upstream: () => link.snapshot() },
    registerRoutes(app) {
      registerPeerRoutes(app, service, () => peers.list());
      registerCascadeRoutes(app, link);
      registerDownwardRoutes(app, downward);
    },
    async registerRootRoutes(app) {
      await app.register(async (scope) => {
        installViidScope(scope, { bodyLimitBytes: settings.bodyLimitBytes, bodyTimeoutMs: settings.bodyTimeoutSeconds * 1_000, maxObjects: settings.maxObjectsPerRequest });
        registerSystemRoutes(scope, ctx, peers, sessions, digest, metrics);
        registerMotorVehicleRoutes(scope, ctx, sessions, intake, deps.checkpoint);
        registerDeviceRoutes(scope, ctx, sessions, intake.devices, tollgates);
        registerSubscribeRoutes(scope, sessions, subscriptions, upstreamIdentity);
        registerNotificationRoutes(scope, sessions, intake, (subscribeId, peerId, objects) => downward.noteNotification(subscribeId, peerId, objects), (request) => downwardLinks.sessionFor(request));
      }, { prefix: '/VIID' });
    },
    async start() {
      const resealed = await peers.resealPasswords();
      if (resealed > 0) ctx.log.info({ resealed }, 'viid peer passwords resealed with the current credentials key');
      await images.start();
      await nationalIds.start();
      // Sessions still within their keepalive come back with their 卡口 cameras; the rest go offline.
      await intake.devices.allOffline(await sessions.restore(Date.now()));
      intake.devices.start();
      sessions.start();
      link.start();
      downward.start();
      ctx.metrics.add('viid', () => metrics.render());
      ctx.metrics.add('viid-upstream', () => viidMetrics(ctx.db, link.snapshot()));
      demo?.start();
    },
    async stop() {
      await demo?.stop();
      ctx.metrics.remove('viid');
      ctx.metrics.remove('viid-upstream');
      await link.stop();
      await downward.stop();
      nationalIds.stop();
      intake.devices.stop();
      await sessions.stop();
      await images.stop();
    },
  };
}
