import { createAccessFeature, type AccessServices } from '../access/access-feature.ts';
import { createAuditFeature } from '../audit/audit-feature.ts';
import { createAuthFeature } from '../auth/auth-feature.ts';
import { createCheckpointFeature, type CheckpointServices } from '../checkpoint/checkpoint-feature.ts';
import { createDashboardFeature } from '../dashboard/dashboard-feature.ts';
import { createDirectoryFeature } from '../directory/directory-feature.ts';
import { createAnalyticsFeature, type AnalyticsService } from '../../analytics/analytics-feature.ts';
import type { DemoCameras } from '../../ingest/demo/demo-cameras.ts';
import type { HealthMonitor } from '../../ingest/health/health-monitor.ts';
import { createIngestFeature } from '../../ingest/ingest-feature.ts';
import { createCameraFeature } from '../../ingest/registry/camera-feature.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import { createRelayFeature } from '../../ingest/relay/relay-feature.ts';
import type { StreamHub } from '../../ingest/relay/stream-hub.ts';
import { createPlayerFeature } from '../../player/player-feature.ts';
import type { HubContext } from './hub-context.ts';
import type { HubFeature } from './hub-feature.ts';

/** Every feature of the product, in start order (they stop in reverse). */
export const FEATURE_NAMES = ['auth', 'directory', 'access', 'audit', 'dashboard', 'cameras', 'ingest', 'relay', 'player', 'checkpoint', 'analytics'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** What features hand to each other (and to the CLI, tests and benchmarks); a feature that is off leaves its entry undefined. */
export interface HubServices {
  cameras?: CameraRegistry;
  cameraHealth?: HealthMonitor;
  /** Simulated cameras and demo logins (config.demo.sampleCameras > 0). */
  demo?: DemoCameras;
  relay?: StreamHub;
  access?: AccessServices;
  checkpoint?: CheckpointServices;
  analytics?: AnalyticsService;
}

export interface ComposedFeatures {
  /** In start order. */
  features: HubFeature[];
  services: HubServices;
}

/**
 * The composition root: builds the selected features (all by default) and hands each the services it
 * depends on as typed arguments, so the compiler checks the wiring. A feature whose required dependency is
 * not selected refuses to start; optional ones (the relay and the checkpoint for analytics) are passed
 * when present.
 */
export function composeFeatures(ctx: HubContext, selected: readonly FeatureName[] = FEATURE_NAMES): ComposedFeatures {
  const on = new Set<FeatureName>(selected);
  const features: HubFeature[] = [];
  const services: HubServices = {};
  const needs = <T>(service: T | undefined, feature: FeatureName, dependency: FeatureName): T => {
    if (service === undefined) throw new Error(`the ${feature} feature needs the ${dependency} feature`);
    return service;
  };

  if (on.has('auth')) features.push(createAuthFeature(ctx));
  if (on.has('directory')) features.push(createDirectoryFeature(ctx));
  if (on.has('access')) {
    const access = createAccessFeature(ctx);
    services.access = access.provides;
    features.push(access);
  }
  if (on.has('audit')) features.push(createAuditFeature(ctx));
  if (on.has('dashboard')) features.push(createDashboardFeature(ctx));
  if (on.has('cameras')) {
    const cameras = createCameraFeature(ctx);
    services.cameras = cameras.provides;
    features.push(cameras);
  }
  if (on.has('ingest')) {
    const ingest = createIngestFeature(ctx, { cameras: needs(services.cameras, 'ingest', 'cameras') });
    services.cameraHealth = ingest.provides.health;
    services.demo = ingest.provides.demo;
    features.push(ingest);
  }
  if (on.has('relay')) {
    const relay = createRelayFeature(ctx, { cameras: needs(services.cameras, 'relay', 'cameras') });
    services.relay = relay.provides;
    features.push(relay);
  }
  if (on.has('player')) features.push(createPlayerFeature(ctx));
  if (on.has('checkpoint')) {
    const checkpoint = createCheckpointFeature(ctx);
    services.checkpoint = checkpoint.provides;
    features.push(checkpoint);
  }
  if (on.has('analytics')) {
    const analytics = createAnalyticsFeature(ctx, {
      cameras: needs(services.cameras, 'analytics', 'cameras'), relay: services.relay, passSink: services.checkpoint?.store,
    });
    services.analytics = analytics.provides;
    features.push(analytics);
  }
  return { features, services };
}
