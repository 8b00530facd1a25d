import { createAuthFeature } from '../auth/auth-feature.ts';
import { createDirectoryFeature } from '../directory/directory-feature.ts';
import { createAccessFeature } from '../access/access-feature.ts';
import { createAuditFeature } from '../audit/audit-feature.ts';
import { createDashboardFeature } from '../dashboard/dashboard-feature.ts';
import { createCameraFeature } from '../../ingest/registry/camera-feature.ts';
import type { HubFeatureFactory } from './hub-feature.ts';

/**
 * Every feature of the product, in start order. A feature that needs another's service comes after it.
 * Add a feature with one line here.
 */
export const defaultFeatures: HubFeatureFactory[] = [
  createAuthFeature,
  createDirectoryFeature,
  createAccessFeature,
  createAuditFeature,
  createDashboardFeature,
  createCameraFeature,
  async (ctx) => (await import('../../ingest/ingest-feature.ts')).createIngestFeature(ctx),
  async (ctx) => (await import('../../ingest/relay/relay-feature.ts')).createRelayFeature(ctx),
  async (ctx) => (await import('../../player/player-feature.ts')).createPlayerFeature(ctx),
  async (ctx) => (await import('../checkpoint/checkpoint-feature.ts')).createCheckpointFeature(ctx),
  async (ctx) => (await import('../../analytics/analytics-feature.ts')).createAnalyticsFeature(ctx),
];
