import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CheckpointStore } from '../../api/checkpoint/checkpoint-store.ts';
import type { RetentionJob } from '../../api/checkpoint/retention-job.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, pass } from './checkpoint-fixtures.ts';

const DAY = 86_400_000;

describeEachDatabase('checkpoint retention', (kind) => {
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHub(kind, { overrides: { checkpoint: { retentionDays: { passes: 30, images: 7, alerts: 30, findings: 30, deliveries: 7 } } } });
  });
  afterAll(async () => { await t?.stop(); });

  it('deletes each class past its retention and touches nothing younger', async () => {
    const store = t.hub.ctx.service<CheckpointStore>('checkpoint')!;
    const retention = t.hub.ctx.service<RetentionJob>('checkpointRetention')!;
    const camera = await addCamera(t, t.departments.traffic);
    const images = join(t.database.dataDir, 'images');
    mkdirSync(images, { recursive: true });
    for (const name of ['old.jpg', 'mid.jpg', 'young.jpg']) writeFileSync(join(images, name), 'jpeg');
    const now = Date.now();
    const old = pass(camera, '京A00001', now - 30 * DAY - 1, { cropImagePath: 'old.jpg' });
    const edge = pass(camera, '京A00002', now - 30 * DAY);
    const mid = pass(camera, '京A00003', now - 8 * DAY, { cropImagePath: 'mid.jpg' });
    const young = pass(camera, '京A00004', now - 6 * DAY, { cropImagePath: 'young.jpg' });
    await store.ingestPasses([old, edge, mid, young]);
    await t.hub.ctx.db.insertInto('checkpoint_alerts').values([
      { id: 'al-old', watchlist_id: 'w', pass_id: old.id, plate: old.plate, camera_id: camera, passed_at: old.passedAt, raised_at: now - 31 * DAY, acknowledged_at: null, acknowledged_by: null, ack_note: null },
      { id: 'al-new', watchlist_id: 'w', pass_id: young.id, plate: young.plate, camera_id: camera, passed_at: young.passedAt, raised_at: now - 29 * DAY, acknowledged_at: null, acknowledged_by: null, ack_note: null },
    ]).execute();

    const report = await retention.runOnce(now);
    expect(report).toMatchObject({ passes: 1, images: 1, alerts: 1 });
    const left = (await t.hub.ctx.db.selectFrom('checkpoint_passes').select(['id', 'crop_image_path']).orderBy('passed_at').execute());
    expect(left.map((p) => p.id)).toEqual([edge.id, mid.id, young.id]);
    expect(left.map((p) => p.crop_image_path)).toEqual([null, null, 'young.jpg']);
    expect(existsSync(join(images, 'old.jpg'))).toBe(false);
    expect(existsSync(join(images, 'mid.jpg'))).toBe(false);
    expect(existsSync(join(images, 'young.jpg'))).toBe(true);
    expect((await t.hub.ctx.db.selectFrom('checkpoint_alerts').select('id').execute()).map((a) => a.id)).toEqual(['al-new']);
    expect(await retention.runOnce(now)).toEqual({ passes: 0, images: 0, alerts: 0, findings: 0, deliveries: 0 });
  });
});
