import { createAuthFeature } from '../../api/auth/auth-feature.ts';
import { createDirectoryFeature } from '../../api/directory/directory-feature.ts';
import type { HubFeatureFactory } from '../../api/hub/hub-feature.ts';
import { createIngestFeature } from '../../ingest/ingest-feature.ts';
import { createCameraFeature } from '../../ingest/registry/camera-feature.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import type { HealthMonitor } from '../../ingest/health/health-monitor.ts';
import type { DatabaseKind } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

/** Just the features ingest needs, so these tests do not depend on unrelated features. */
export const INGEST_FEATURES: HubFeatureFactory[] = [createAuthFeature, createDirectoryFeature, createCameraFeature, createIngestFeature];

/** Short deadlines and fast reconnects so that status flips happen within a test. */
export const FAST_INGEST = {
  discoveryTimeoutMs: 1_500, requestTimeoutMs: 1_500, healthIntervalMs: 60_000, reconnectInitialMs: 200, reconnectMaxMs: 1_000,
};

export function startIngestHub(kind: DatabaseKind, ingest: Record<string, unknown> = {}): Promise<TestHub> {
  return startTestHub(kind, { features: INGEST_FEATURES, overrides: { ingest: { ...FAST_INGEST, ...ingest } } });
}

export const registryOf = (t: TestHub) => t.hub.ctx.service<CameraRegistry>('cameras')!;
export const monitorOf = (t: TestHub) => t.hub.ctx.service<HealthMonitor>('camera-health')!;

/** Polls until `check` returns a truthy value (bounded); for state reached by background loops. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
