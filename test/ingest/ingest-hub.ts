import type { FeatureName } from '../../api/hub/hub-services.ts';
import type { DatabaseKind } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

/** Just the features ingest needs, so these tests do not depend on unrelated features. */
export const INGEST_FEATURES: FeatureName[] = ['auth', 'directory', 'cameras', 'ingest'];

/** Short deadlines and fast reconnects so that status flips happen within a test. */
export const FAST_INGEST = {
  discoveryTimeoutMs: 1_500, requestTimeoutMs: 1_500, healthIntervalMs: 60_000, reconnectInitialMs: 200, reconnectMaxMs: 1_000,
};

export function startIngestHub(kind: DatabaseKind, ingest: Record<string, unknown> = {}): Promise<TestHub> {
  return startTestHub(kind, { features: INGEST_FEATURES, overrides: { ingest: { ...FAST_INGEST, ...ingest } } });
}

export const registryOf = (t: TestHub) => t.hub.services.cameras!;
export const monitorOf = (t: TestHub) => t.hub.services.cameraHealth!;

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
