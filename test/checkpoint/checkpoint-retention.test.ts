import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, pass } from './checkpoint-fixtures.ts';
import { volumeReference } from '../../api/checkpoint/pass-pictures.ts';

const DAY = 86_400_000;

describeEachDatabase('checkpoint retention', (kind) => {
  let t: TestHub;

  beforeAll(async () => {
    t = await startTestHub(kind, {
      overrides: {
        checkpoint: { retentionDays: { passes: 30, images: 7, alerts: 30, findings: 30, deliveries: 7 } },
        analytics: { retentionDays: { crowdSamples: 30, crowdAlerts: 30 } },
        ingest: { retentionDays: { cameraStatusChanges: 30 } },
        access: { retentionDays: { notifications: 30 } },
      },
    });
  });
  afterAll(async () => { await t?.stop(); });

  it('deletes each class past its retention and touches nothing younger', async () => {
    const store = t.hub.services.checkpoint!;
    const retention = t.hub.retention;
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
    expect(await retention.runOnce(now)).toEqual({ passes: 0, images: 0, alerts: 0, findings: 0, deliveries: 0, crowdSamples: 0, crowdAlerts: 0, cameraStatusChanges: 0, notifications: 0, recordingSegments: 0, evidenceExports: 0 });
  });

  it('received pictures: a day\'s picture volume goes once every pass of its day is past image retention; a younger day\'s stays readable', async () => {
    const store = t.hub.services.checkpoint!;
    const camera = await addCamera(t, t.departments.traffic);
    const images = join(t.database.dataDir, 'images');
    const now = Date.now();
    const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);
    const [oldAt, youngAt] = [now - 9 * DAY, now - 6 * DAY];
    const volume = (at: number) => {
      mkdirSync(join(images, dayOf(at)), { recursive: true });
      writeFileSync(join(images, dayOf(at), 'feedc0ffee00-1.pack'), 'crop-onecrop-two');
      return (start: number) => volumeReference(`${dayOf(at)}/feedc0ffee00-1.pack`, start, 8);
    };
    const [oldRange, youngRange] = [volume(oldAt), volume(youngAt)];
    const passes = [
      pass(camera, '京V00001', oldAt, { cropImagePath: oldRange(0) }), pass(camera, '京V00002', oldAt + 1, { cropImagePath: oldRange(8) }),
      pass(camera, '京V00003', youngAt, { cropImagePath: youngRange(0) }), pass(camera, '京V00004', youngAt + 1, { cropImagePath: youngRange(8) }),
    ];
    await store.ingestPasses(passes);

    // The first test's pass on the 30-day edge is past it by now: only images are compared.
    expect(await t.hub.retention.runOnce(now)).toMatchObject({ images: 2 });
    expect(existsSync(join(images, dayOf(oldAt)))).toBe(false);
    const rows = await t.hub.ctx.db.selectFrom('checkpoint_passes').select(['id', 'crop_image_path']).where('id', 'in', passes.map((p) => p.id)).orderBy('passed_at').execute();
    expect(rows.map((r) => r.crop_image_path)).toEqual([null, null, youngRange(0), youngRange(8)]);
    const served = await fetch(`${t.url}/api/v1/checkpoint/passes/${passes[3]!.id}/crop`, { headers: { authorization: `Bearer ${t.users.admin.token}` } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-length')).toBe('8');
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await served.arrayBuffer()).toString()).toBe('crop-two');
  });

  it('deletes crowd samples and ended alerts, camera status history and notifications past retention; keeps younger rows and open alerts', async () => {
    const db = t.hub.ctx.db;
    const camera = await addCamera(t, t.departments.traffic);
    const now = Date.now();
    // Ages in ms before now: a backlog several days deep (deleted in day slices), just past the 30-day edge, on it, and young.
    const ages = { ancient: 45 * DAY, old: 30 * DAY + 1, edge: 30 * DAY, young: 2 * DAY };
    const entries = Object.entries(ages);
    await db.insertInto('crowd_samples').values(entries.map(([, age]) => ({ camera_id: camera, zone_id: '_all', at: now - age, count: 3 }))).execute();
    await db.insertInto('camera_status_changes').values(entries.map(([name, age]) => ({ id: `st-${name}`, camera_id: camera, at: now - age, status: 'offline', previous: 'online', reason: null }))).execute();
    await db.insertInto('access_notifications').values(entries.map(([name, age]) => ({
      id: `n-${name}`, user_id: t.users.psViewer.id, kind: 'grant.expired' as const, message: name, request_id: null, grant_id: null, created_at: now - age, read_at: name === 'old' ? null : now - age,
    }))).execute();
    await db.insertInto('crowd_alerts').values([
      ...entries.map(([name, age]) => ({ id: `ca-${name}`, camera_id: camera, zone_id: '_all', started_at: now - age - 60_000, raised_at: now - age - 30_000, ended_at: now - age, threshold: 5, peak_count: 9 })),
      { id: 'ca-open', camera_id: camera, zone_id: '_all', started_at: now - 60 * DAY, raised_at: now - 60 * DAY, ended_at: null, threshold: 5, peak_count: 9 },
    ]).execute();

    const retention = t.hub.retention;
    const report = await retention.runOnce(now);
    expect(report).toMatchObject({ crowdSamples: 2, cameraStatusChanges: 2, crowdAlerts: 2, notifications: 2 });
    const samples = await db.selectFrom('crowd_samples').select('at').where('camera_id', '=', camera).orderBy('at').execute();
    expect(samples.map((r) => now - Number(r.at))).toEqual([ages.edge, ages.young]);
    const statuses = await db.selectFrom('camera_status_changes').select('id').where('camera_id', '=', camera).orderBy('at').execute();
    expect(statuses.map((r) => r.id)).toEqual(['st-edge', 'st-young']);
    const alerts = await db.selectFrom('crowd_alerts').select('id').where('camera_id', '=', camera).orderBy('started_at').execute();
    expect(alerts.map((r) => r.id)).toEqual(['ca-open', 'ca-edge', 'ca-young']);
    const notes = await db.selectFrom('access_notifications').select('id').where('user_id', '=', t.users.psViewer.id).where('id', 'like', 'n-%').orderBy('created_at').execute();
    expect(notes.map((r) => r.id)).toEqual(['n-edge', 'n-young']);
    expect(await retention.runOnce(now)).toMatchObject({ crowdSamples: 0, cameraStatusChanges: 0, crowdAlerts: 0, notifications: 0 });
  });
});
