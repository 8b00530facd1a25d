import { createAuthFeature } from '../../api/auth/auth-feature.ts';
import { createCheckpointFeature } from '../../api/checkpoint/checkpoint-feature.ts';
import { createDirectoryFeature } from '../../api/directory/directory-feature.ts';
import type { HubFeatureFactory } from '../../api/hub/hub-feature.ts';
import { createAnalyticsFeature } from '../../analytics/analytics-feature.ts';
import { createCameraFeature } from '../../ingest/registry/camera-feature.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import type { TestHub } from '../helpers/test-hub.ts';

/**
 * The features the analytics tests need, in product order: cameras, the checkpoint store the passes go to,
 * analytics. (No relay: the sampler then reads the camera URL directly, the documented fallback.)
 */
export const analyticsFeatures: HubFeatureFactory[] = [createAuthFeature, createDirectoryFeature, createCameraFeature, createCheckpointFeature, createAnalyticsFeature];

export function cameraRegistry(t: TestHub): CameraRegistry {
  return t.hub.ctx.service<CameraRegistry>('cameras')!;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
