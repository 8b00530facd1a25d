import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRemoteWorker } from '../../analytics/pipeline/remote-worker.ts';
import { MEDIA_DIR } from '../../devtools/sim/test-clip.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { analyticsFeatures } from './analytics-hub.ts';

/** Frames over Redis: a hub with no local workers, and a remote worker on the analytics:frames queue. */
describeEachDatabase('remote analytics workers', (kind) => {
  let t: TestHub;
  let worker: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    t = await startTestHub(kind, { features: analyticsFeatures, overrides: { analytics: { workers: 0, remoteFrames: true, remoteResultTimeoutSeconds: 60 } } });
  });
  afterAll(async () => {
    await worker?.close();
    await t?.stop();
  });

  it('analyses a picture on a worker that joined through Redis', async () => {
    worker = await startRemoteWorker({ redis: t.hub.ctx.redis, threads: 1 });
    const jpeg = await readFile(join(MEDIA_DIR, 'plates/green_suED51712_street.jpg'));
    const res = await fetch(`${t.url}/api/v1/analytics/analyze`, {
      method: 'POST', headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${t.users.admin.token}` }, body: new Uint8Array(jpeg),
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.plates.map((p: { plate: string }) => p.plate)).toContain('苏ED51712');
    const stats = await t.api('/api/v1/analytics/stats', { user: t.users.admin });
    expect(stats.body.analyser).toMatchObject({ kind: 'remote', completed: 1 });
  });
});
