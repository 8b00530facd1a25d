import { createAccessFeature } from '../access/access-feature.ts';
import { createAuditFeature } from '../audit/audit-feature.ts';
import { createAuthFeature } from '../auth/auth-feature.ts';
import { createCheckpointFeature } from '../checkpoint/checkpoint-feature.ts';
import { createDashboardFeature } from '../dashboard/dashboard-feature.ts';
import { createDirectoryFeature } from '../directory/directory-feature.ts';
import { createAnalyticsFeature } from '../../analytics/analytics-feature.ts';
import { createIngestFeature } from '../../ingest/ingest-feature.ts';
import { createCameraFeature } from '../../ingest/registry/camera-feature.ts';
import { createRelayFeature } from '../../ingest/relay/relay-feature.ts';
import { createPlayerFeature } from '../../player/player-feature.ts';
import type { HubFeatureFactory } from './hub-feature.ts';

/**
 * Every feature of the product, in start order (they stop in reverse). A feature that uses another's
 * service through ctx.service() comes after it: cameras before ingest and the relay; the relay (frames) and
 * the checkpoint (pass sink) before analytics. Add a feature with one line here.
 */
export const defaultFeatures: HubFeatureFactory[] = [
  createAuthFeature,
  createDirectoryFeature,
  createAccessFeature,
  createAuditFeature,
  createDashboardFeature,
  createCameraFeature,
  createIngestFeature,
  createRelayFeature,
  createPlayerFeature,
  createCheckpointFeature,
  createAnalyticsFeature,
];
