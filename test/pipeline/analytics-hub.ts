import type { FeatureName } from '../../api/hub/hub-services.ts';
import type { CameraRegistry } from '../../ingest/registry/camera-registry.ts';
import type { TestHub } from '../helpers/test-hub.ts';

/**
 * The features the analytics tests need, in product order: cameras, the checkpoint store the passes go to,
 * analytics. (No relay: the sampler then reads the camera URL directly, the documented fallback.)
 */
export const analyticsFeatures: FeatureName[] = ['auth', 'directory', 'cameras', 'checkpoint', 'analytics'];

export function cameraRegistry(t: TestHub): CameraRegistry {
  return t.hub.services.cameras!;
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
