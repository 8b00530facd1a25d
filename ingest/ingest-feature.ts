import type { HubContext } from '../api/hub/hub-context.ts';
import type { ProvidingFeature } from '../api/kernel/hub-feature.ts';
import { daysBefore } from '../api/hub/retention-job.ts';
import { DemoCameras } from '../devtools/demo/demo-cameras.ts';
import { CameraAdoption } from './discovery/camera-adoption.ts';
import { CandidateStore } from './discovery/candidate-store.ts';
import { registerDiscoveryRoutes } from './discovery/discovery-routes.ts';
import type { CameraSupervisor } from './health/camera-supervisor.ts';
import { HealthMonitor } from './health/health-monitor.ts';
import { StatusHistory } from './health/status-history.ts';
import { registerStatusRoutes } from './health/status-routes.ts';
import { PtzService, type NationalPtz } from './ptz/ptz-service.ts';
import { registerPtzRoutes } from './ptz/ptz-routes.ts';
import type { CameraRegistry } from './registry/camera-registry.ts';
import { CsvImporter } from './registry/csv-import.ts';
import { registerCsvImportRoutes } from './registry/csv-import-routes.ts';
import { SnapshotService, type RunningPulls } from './snapshot/snapshot-service.ts';
import { registerSnapshotRoutes } from './snapshot/snapshot-routes.ts';
import { ThumbnailCache } from './snapshot/thumbnail-cache.ts';
import { registerThumbnailRoutes } from './snapshot/thumbnail-routes.ts';
import { join } from 'node:path';

export interface IngestDependencies {
  cameras: CameraRegistry;
  supervisor: CameraSupervisor;
  /** The relay, built after ingest: asked when a still is taken; undefined when the relay is off. */
  runningPulls: () => RunningPulls | undefined;
  /** PTZ of GB/T 28181 channels (the gb28181 feature); without it they answer PTZ_UNSUPPORTED. */
  nationalPtz?: NationalPtz;
}

/** What ingest provides: camera health, and the simulated cameras (with their demo logins) when the demo is on. */
export interface IngestServices {
  health: HealthMonitor;
  demo: DemoCameras | undefined;
  /** Camera stills (evidence export of a live snapshot). */
  snapshots: SnapshotService;
}

/**
 * Camera ingest: ONVIF discovery and adoption, CSV import, health monitoring with status history and a
 * live status stream, snapshots and PTZ; with config.demo.sampleCameras, simulated cameras for the demo.
 */
export function createIngestFeature(ctx: HubContext, { cameras: registry, supervisor, runningPulls, nationalPtz }: IngestDependencies): ProvidingFeature<IngestServices> {
  const candidates = new CandidateStore(ctx.db);
  const adoption = new CameraAdoption(ctx, registry, candidates);
  const history = new StatusHistory(ctx);
  const monitor = new HealthMonitor(ctx, registry, supervisor);
  const snapshots = new SnapshotService(ctx, registry, runningPulls);
  const thumbnails = new ThumbnailCache(join(ctx.dataDir, 'thumbnails'), snapshots, () => ({
    ttlSeconds: ctx.config.ingest.snapshot.thumbnailTtlSeconds, failureSeconds: ctx.config.ingest.snapshot.thumbnailFailureSeconds,
  }));
  // A removed camera's still goes; a changed camera (another stream) gets a new one.
  const forgetThumbnail = ({ cameraId, change }: { cameraId: string; change: string }) => {
    if (change !== 'created') thumbnails.forget(cameraId).catch((error: unknown) => ctx.log.warn({ err: error, cameraId }, 'thumbnail not removed'));
  };
  const ptz = new PtzService(ctx, registry, nationalPtz);
  const importer = new CsvImporter(ctx, registry);
  const demo = ctx.config.demo.sampleCameras > 0 ? new DemoCameras(ctx, registry, candidates, adoption) : undefined;

  return {
    name: 'ingest',
    provides: { health: monitor, demo, snapshots },
    registerRoutes: async (app) => {
      registerDiscoveryRoutes(app, ctx, candidates, adoption);
      registerStatusRoutes(app, ctx, registry, history);
      registerSnapshotRoutes(app, ctx, snapshots);
      registerThumbnailRoutes(app, ctx, thumbnails);
      registerPtzRoutes(app, ctx, ptz);
      await registerCsvImportRoutes(app, ctx, importer);
    },
    start: async () => {
      history.start();
      ctx.events.on('camera.changed', forgetThumbnail);
      await monitor.start();
      await demo?.start();
    },
    stop: async () => {
      ctx.events.off('camera.changed', forgetThumbnail);
      await demo?.stop();
      await monitor.stop();
      await history.stop();
      snapshots.close();
    },
    prune: async (now) => ({ cameraStatusChanges: await history.prune(daysBefore(now, ctx.config.ingest.retentionDays.cameraStatusChanges)) }),
  };
}
