import { join } from 'node:path';
import type { HubContext } from '../api/hub/hub-context.ts';
import type { ProvidingFeature } from '../api/kernel/hub-feature.ts';
import { daysBefore } from '../api/hub/retention-job.ts';
import type { CameraSupervisor } from '../ingest/health/camera-supervisor.ts';
import type { CameraRegistry } from '../ingest/registry/camera-registry.ts';
import { CrowdRecorder } from './crowd/crowd-recorder.ts';
import { registerCrowdRoutes } from './crowd/crowd-routes.ts';
import { registerCrowdLiveRoutes } from './crowd/crowd-live-routes.ts';
import { crowdMetrics } from './crowd/crowd-metrics.ts';
import { CrowdStore } from './crowd/crowd-store.ts';
import { registerAnalyticsRoutes } from './pipeline/analytics-routes.ts';
import { AnalyticsStats, type AnalyticsStatsSnapshot } from './pipeline/analytics-stats.ts';
import type { FrameAnalyser } from './pipeline/frame-analyser.ts';
import { frameSourceFor, type RelayPoolLike } from './pipeline/frame-source.ts';
import { LocalAnalyser } from './pipeline/local-analyser.ts';
import { PassQueue, type PassSink } from './pipeline/pass-queue.ts';
import { PipelineManager } from './pipeline/pipeline-manager.ts';
import { RemoteAnalyser } from './pipeline/remote-analyser.ts';

/** What analytics provides (to tests and benchmarks). */
export interface AnalyticsService {
  analyticsStats(): Promise<AnalyticsStatsSnapshot>;
  /** Re-reads a camera row and starts/stops its pipeline (also done on camera.changed). */
  reconcile(cameraId: string): Promise<void>;
}

export interface AnalyticsDependencies {
  cameras: CameraRegistry;
  /** Told whether each camera's frames flow. */
  supervisor: CameraSupervisor;
  /** Frames come through the relay's single pull when the relay runs, else straight from the camera. */
  relay: RelayPoolLike | undefined;
  /** Where queued passes go (the checkpoint store); without it they stay queued in Redis. */
  passSink: PassSink | undefined;
}

/**
 * Analytics: per analysed camera a sampled frame stream through the models into pass records (to the
 * checkpoint store through the durable analytics:passes queue) and crowd counts; plus the one-picture
 * analyse endpoint. Models load on first use, so a hub without analysed cameras pays nothing.
 */
export function createAnalyticsFeature(ctx: HubContext, { cameras, supervisor, relay, passSink }: AnalyticsDependencies): ProvidingFeature<AnalyticsService> {
  const config = ctx.config.analytics;
  const crowdStore = new CrowdStore(ctx.db);
  const crowdRecorder = new CrowdRecorder(crowdStore, ctx.events, ctx.log);
  let analyser: FrameAnalyser | undefined;
  let passQueue: PassQueue | undefined;
  let pipelines: PipelineManager | undefined;
  let consuming = false;
  const stats = new AnalyticsStats(() => pipelines, () => analyser, () => passQueue);

  return {
    name: 'analytics',
    provides: {
      analyticsStats: () => stats.snapshot(),
      reconcile: async (cameraId) => { await pipelines?.reconcile(cameraId); },
    },
    registerRoutes: async (app) => {
      await registerAnalyticsRoutes(app, config, () => analyser, stats);
      registerCrowdRoutes(app, ctx, crowdStore, (cameraId, zones) => pipelines?.setZones(cameraId, zones));
      registerCrowdLiveRoutes(app, ctx, (cameraId) => pipelines?.latestCrowd(cameraId)[0]?.crowd);
    },
    start: async () => {
      if (!config.enabled) return;
      analyser = config.remoteFrames
        ? new RemoteAnalyser({ redis: ctx.redis, queueDepthPerCamera: config.queueDepthPerCamera, resultTimeoutMs: config.remoteResultTimeoutSeconds * 1_000, jpegQuality: config.jpegQuality, log: ctx.log })
        : new LocalAnalyser({
          workers: config.workers, queueDepthPerCamera: config.queueDepthPerCamera,
          density: { model: config.crowd.densityModel, longSide: config.crowd.densityLongSide },
          farPlates: config.farPlates, detectorTiles: config.detectorTiles,
        });
      const queue = new PassQueue({ redis: ctx.redis, batchSize: config.passBatchSize, lingerMs: config.passBatchLingerMs, log: ctx.log });
      passQueue = queue;
      if (passSink) {
        queue.startConsumer(passSink);
        consuming = true;
      } else {
        ctx.log.warn('checkpoint feature is off: analytics passes stay queued in Redis until a hub with it runs');
      }
      pipelines = new PipelineManager({
        ctx, config, analyser, source: () => frameSourceFor(relay, cameras), enqueuePass: (record) => queue.enqueue(record),
        crowdStore, crowdRecorder, imagesDir: join(ctx.dataDir, 'images'), supervisor,
      });
      await pipelines.start();
      ctx.metrics.add('crowd', async () => crowdMetrics(
        (pipelines?.latestCrowd() ?? []).map(({ cameraId, crowd }) => ({ cameraId, at: crowd.at, counts: crowd.counts })),
        await crowdStore.openAlertCount(),
      ));
    },
    stop: async () => {
      ctx.metrics.remove('crowd');
      await pipelines?.stop();
      if (passQueue && consuming) {
        const drained = await passQueue.drain(Math.max(1_000, ctx.config.shutdown.graceMs / 2)).catch(() => false);
        if (!drained) ctx.log.warn('analytics passes still queued at stop; they stay in Redis for the next start');
      }
      await passQueue?.close();
      await analyser?.close();
    },
    prune: (now) => crowdStore.prune(daysBefore(now, config.retentionDays.crowdSamples), daysBefore(now, config.retentionDays.crowdAlerts)),
  };
}
