import { join } from 'node:path';
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
import { VehicleImages } from './vehicle-images.ts';
import { installViidScope } from './viid-http.ts';
import { ViidMetrics } from './viid-metrics.ts';

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
  const service = new PeerService(ctx, peers, sessions);
  const metrics = new ViidMetrics(sessions);
  const nationalIds = new NationalIds(ctx);
  const digest = new DigestAuth(settings.realm, settings.nonceTtlSeconds * 1_000);
  const outbound = new OutboundUrlGuard(ctx.config.http.outboundAllowedNetworks);
  const images = new VehicleImages(join(ctx.dataDir, 'images'), { maxImageBytes: settings.maxImageBytes, maxImagePixels: settings.maxImagePixels, fetchTimeoutMs: settings.imageFetchTimeoutMs }, outbound);
  const tollgates = new TollgateRepository(ctx.db);
  const intake = new MotorVehicleIntake(ctx, deps.checkpoint, deps.cameras, deps.supervisor, images, metrics);
  sessions.follow({ opened: (session) => intake.devices.peerOnline(session), ended: (session, why) => intake.devices.peerOffline(session, why) });
  return {
    name: 'viid',
    provides: { serverId: viidServerId(settings), peers, sessions, intake },
    registerRoutes(app) {
      registerPeerRoutes(app, service, () => peers.list());
    },
    async registerRootRoutes(app) {
      await app.register(async (scope) => {
        installViidScope(scope, { bodyLimitBytes: settings.bodyLimitBytes, bodyTimeoutMs: settings.bodyTimeoutSeconds * 1_000, maxObjects: settings.maxObjectsPerRequest });
        registerSystemRoutes(scope, ctx, peers, sessions, digest, metrics);
        registerMotorVehicleRoutes(scope, ctx, sessions, intake, deps.checkpoint);
        registerDeviceRoutes(scope, ctx, sessions, intake.devices, tollgates);
      }, { prefix: '/VIID' });
    },
    async start() {
      const resealed = await peers.resealPasswords();
      if (resealed > 0) ctx.log.info({ resealed }, 'viid peer passwords resealed with the current credentials key');
      await nationalIds.start();
      await peers.allOffline(Date.now());
      await intake.devices.allOffline();
      intake.devices.start();
      sessions.start();
      ctx.metrics.add('viid', () => metrics.render());
    },
    async stop() {
      ctx.metrics.remove('viid');
      nationalIds.stop();
      intake.devices.stop();
      await sessions.stop();
    },
  };
}
