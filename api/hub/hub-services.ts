import { createAccessFeature, type AccessServices } from '../access/access-feature.ts';
import { createAuditFeature } from '../audit/audit-feature.ts';
import { createAuthFeature } from '../auth/auth-feature.ts';
import { createCheckpointFeature } from '../checkpoint/checkpoint-feature.ts';
import type { CheckpointStore } from '../checkpoint/checkpoint-store.ts';
import { createDashboardFeature } from '../dashboard/dashboard-feature.ts';
import { createDirectoryFeature } from '../directory/directory-feature.ts';
import { createAnalyticsFeature, type AnalyticsService } from '../../analytics/analytics-feature.ts';
import type { DemoCameras } from '../../devtools/demo/demo-cameras.ts';
import type { CameraSupervisor } from '../../ingest/health/camera-supervisor.ts';
import type { HealthMonitor } from '../../ingest/health/health-monitor.ts';
import { createIngestFeature } from '../../ingest/ingest-feature.ts';
import type { SnapshotService } from '../../ingest/snapshot/snapshot-service.ts';
import { createGb28181Feature, type Gb28181Service } from '../../ingest/gb28181/gb28181-feature.ts';
import { createCameraFeature } from '../../ingest/registry/camera-feature.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import { createRelayFeature } from '../../relay/relay-feature.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import { createPlayerFeature } from '../../player/player-feature.ts';
import { createViidFeature, type ViidServices } from '../viid/viid-feature.ts';
import { createPlaybackFeature } from '../playback/playback-feature.ts';
import type { PlaybackSessions } from '../playback/playback-sessions.ts';
import { createEvidenceFeature, type EvidenceServices } from '../evidence/evidence-feature.ts';
import { createRecordingFeature, type RecordingService } from '../../recording/recording-feature.ts';
import type { HubContext } from './hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
import type { NodeRole } from '../kernel/cluster/cluster-config.ts';

/** Every feature of the product, in the order composeFeatures() builds and starts them (they stop in reverse). */
export const FEATURE_NAMES = ['auth', 'directory', 'access', 'audit', 'dashboard', 'cameras', 'gb28181', 'ingest', 'relay', 'recording', 'player', 'checkpoint', 'analytics', 'playback', 'evidence', 'viid'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/**
 * The features a node of each role composes (cluster.role, `npm run hub -- --role`). Every role keeps the
 * login, directory, workflow and audit features, so any node answers a user; the roles differ in the heavy
 * work: `api` pulls no camera, `media` runs the pulls, recordings and GB/T 28181 but no inference,
 * `analytics` runs the pipelines (with the relay, so a camera is still pulled once there) and stores passes.
 */
export function featuresForRole(role: NodeRole): readonly FeatureName[] {
  const base: FeatureName[] = ['auth', 'directory', 'access', 'audit', 'dashboard', 'cameras'];
  switch (role) {
    case 'all': return FEATURE_NAMES;
    case 'api': return [...base, 'player', 'checkpoint', 'playback', 'evidence', 'viid'];
    case 'media': return [...base, 'gb28181', 'ingest', 'relay', 'recording', 'player', 'playback'];
    case 'analytics': return [...base, 'relay', 'checkpoint', 'analytics'];
  }
}

/** What features hand to each other (and to the CLI, tests and benchmarks); a feature that is off leaves its entry undefined. */
export interface HubServices {
  cameras?: CameraRegistry;
  /** The one writer of each camera's status. */
  cameraSupervisor?: CameraSupervisor;
  cameraHealth?: HealthMonitor;
  /** Simulated cameras and demo logins (config.demo.sampleCameras > 0). */
  demo?: DemoCameras;
  /** GB/T 28181 devices, their SIP server and live feeds. */
  gb28181?: Gb28181Service;
  relay?: RelayPool;
  /** Recording plans, the recorder, the segment index and storage. */
  recording?: RecordingService;
  access?: AccessServices;
  /** The checkpoint store (the pass sink). */
  checkpoint?: CheckpointStore;
  analytics?: AnalyticsService;
  /** The GA/T 1400 视图库 server: peers, sessions (User-Identify check), vehicle intake. */
  viid?: ViidServices;
  /** Running playback sessions of recordings. */
  playback?: PlaybackSessions;
  /** Camera stills (ingest). */
  snapshots?: SnapshotService;
  /** Evidence export jobs. */
  evidence?: EvidenceServices;
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
  const add = <F extends HubFeature>(feature: F): F => {
    features.push(feature);
    return feature;
  };

  if (on.has('auth')) add(createAuthFeature(ctx));
  if (on.has('directory')) add(createDirectoryFeature(ctx));
  if (on.has('access')) services.access = add(createAccessFeature(ctx)).provides;
  if (on.has('audit')) add(createAuditFeature(ctx));
  if (on.has('dashboard')) add(createDashboardFeature(ctx));
  if (on.has('cameras')) {
    const cameras = add(createCameraFeature(ctx)).provides;
    services.cameras = cameras.registry;
    services.cameraSupervisor = cameras.supervisor;
  }
  if (on.has('gb28181')) {
    services.gb28181 = add(createGb28181Feature(ctx, {
      cameras: needs(services.cameras, 'gb28181', 'cameras'), supervisor: needs(services.cameraSupervisor, 'gb28181', 'cameras'),
      relay: () => services.relay, playback: () => services.playback, recording: () => services.recording,
    })).provides;
  }
  if (on.has('ingest')) {
    const ingest = add(createIngestFeature(ctx, {
      cameras: needs(services.cameras, 'ingest', 'cameras'), supervisor: needs(services.cameraSupervisor, 'ingest', 'cameras'),
      runningPulls: () => services.relay, nationalPtz: services.gb28181?.ptz,
    })).provides;
    services.cameraHealth = ingest.health;
    services.demo = ingest.demo;
    services.snapshots = ingest.snapshots;
  }
  if (on.has('relay')) {
    services.relay = add(createRelayFeature(ctx, {
      cameras: needs(services.cameras, 'relay', 'cameras'), supervisor: needs(services.cameraSupervisor, 'relay', 'cameras'),
      feeds: services.gb28181?.feeds,
    })).provides;
  }
  if (on.has('recording')) services.recording = add(createRecordingFeature(ctx, { relay: needs(services.relay, 'recording', 'relay') })).provides;
  if (on.has('player')) add(createPlayerFeature(ctx));
  if (on.has('checkpoint')) services.checkpoint = add(createCheckpointFeature(ctx)).provides;
  if (on.has('analytics')) {
    services.analytics = add(createAnalyticsFeature(ctx, {
      cameras: needs(services.cameras, 'analytics', 'cameras'), supervisor: needs(services.cameraSupervisor, 'analytics', 'cameras'),
      relay: services.relay, passSink: services.checkpoint,
    })).provides;
  }
  if (on.has('playback')) services.playback = add(createPlaybackFeature(ctx)).provides;
  if (on.has('evidence')) services.evidence = add(createEvidenceFeature(ctx, { snapshots: services.snapshots })).provides;
  if (on.has('viid')) {
    services.viid = add(createViidFeature(ctx, {
      cameras: needs(services.cameras, 'viid', 'cameras'), supervisor: needs(services.cameraSupervisor, 'viid', 'cameras'),
      checkpoint: needs(services.checkpoint, 'viid', 'checkpoint'),
    })).provides;
  }
  return { features, services };
}
