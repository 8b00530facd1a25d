import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CrowdStore } from '../../analytics/crowd/crowd-store.ts';
import { MEDIA_DIR } from '../../devtools/sim/test-clip.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub, type TestUser } from '../helpers/test-hub.ts';
import { analyticsFeatures, cameraRegistry } from './analytics-hub.ts';

/** A PNG whose header claims width × height pixels, with a token of pixel data (a decompression-bomb claim). */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(64))), chunk('IEND', Buffer.alloc(0))]);
}

describeEachDatabase('analytics routes', (kind) => {
  let t: TestHub;
  let cameraId: string;
  const post = (user: TestUser | undefined, body: Buffer, type: string) =>
    fetch(`${t.url}/api/v1/analytics/analyze`, { method: 'POST', headers: { 'content-type': type, ...(user ? { authorization: `Bearer ${user.token}` } : {}) }, body: new Uint8Array(body) })
      .then(async (r) => ({ status: r.status, body: await r.json() }));

  beforeAll(async () => {
    t = await startTestHub(kind, { features: analyticsFeatures, overrides: { analytics: { workers: 1 } } });
    const camera = await cameraRegistry(t).create({ name: 'Gate', departmentId: t.departments.traffic, category: 'traffic', streamUrl: 'rtsp://127.0.0.1:9/none' });
    cameraId = camera.id;
  });
  afterAll(async () => { await t?.stop(); });

  const zones = [{ id: 'gate', name: 'Main gate', polygon: [{ x: 0, y: 0 }, { x: 0.5, y: 0 }, { x: 0.5, y: 1 }], threshold: 10, durationSeconds: 30 }];

  it('lets the owning department\'s approver set zones, and nobody else', async () => {
    expect((await t.api(`/api/v1/analytics/cameras/${cameraId}/zones`, { method: 'PUT', body: { zones }, user: t.users.psApprover })).body.code).toBe('ZONES_MANAGE_DENIED');
    expect((await t.api(`/api/v1/analytics/cameras/${cameraId}/zones`, { method: 'PUT', body: { zones }, user: t.users.trafficViewer })).status).toBe(403);
    const ok = await t.api(`/api/v1/analytics/cameras/${cameraId}/zones`, { method: 'PUT', body: { zones }, user: t.users.trafficApprover });
    expect(ok.status).toBe(200);
    const read = await t.api(`/api/v1/analytics/cameras/${cameraId}/zones`, { user: t.users.trafficViewer });
    expect(read.body.zones).toEqual(zones);
    expect((await t.api(`/api/v1/analytics/cameras/${cameraId}/zones`, { user: t.users.psViewer })).body.code).toBe('CAMERA_ACCESS_DENIED');
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'target_id']).where('action', '=', 'analytics.zones.set').execute();
    expect(audit).toEqual([{ action: 'analytics.zones.set', target_id: cameraId }]);
  });

  it('refuses bad zones with clear codes', async () => {
    const put = (body: unknown) => t.api(`/api/v1/analytics/cameras/${cameraId}/zones`, { method: 'PUT', body, user: t.users.admin });
    expect((await put({ zones: [{ ...zones[0], polygon: [{ x: 0, y: 0 }, { x: 2, y: 0 }, { x: 0, y: 1 }] }] })).body.code).toBe('VALIDATION_FAILED');
    expect((await put({ zones: [zones[0], zones[0]] })).body.code).toBe('ZONE_ID_DUPLICATE');
    expect((await put({ zones: [{ ...zones[0], id: '_all' }] })).status).toBe(400);
    expect((await put({ zones })).status).toBe(200);
    expect((await t.api('/api/v1/analytics/cameras/nope/zones', { method: 'PUT', body: { zones }, user: t.users.admin })).body.code).toBe('CAMERA_NOT_FOUND');
  });

  it('serves the crowd series and alerts to users with the events scope', async () => {
    const store = new CrowdStore(t.hub.ctx.db);
    const base = Date.now() - 60_000;
    await store.addSamples([{ cameraId, zoneId: 'gate', at: base, count: 4 }, { cameraId, zoneId: '_all', at: base, count: 9 }]);
    await store.addSamples([{ cameraId, zoneId: 'gate', at: base, count: 3 }]); // same interval: the peak stays
    await store.addSamples([{ cameraId, zoneId: 'gate', at: base + 10_000, count: 12 }]);
    await store.raiseAlert({ cameraId, zoneId: 'gate', startedAt: base, raisedAt: base + 30_000, threshold: 10, count: 12, trigger: 'count' });
    const res = await t.api(`/api/v1/analytics/cameras/${cameraId}/crowd?from=${base}&to=${base + 60_000}`, { user: t.users.trafficViewer });
    expect(res.status).toBe(200);
    expect(res.body.samples).toEqual([
      { zoneId: '_all', at: base, count: 9 }, { zoneId: 'gate', at: base, count: 4 }, { zoneId: 'gate', at: base + 10_000, count: 12 },
    ]);
    expect(res.body.alerts).toMatchObject([{ zoneId: 'gate', raisedAt: base + 30_000, endedAt: null, peakCount: 12 }]);
    expect((await t.api(`/api/v1/analytics/cameras/${cameraId}/crowd`, { user: t.users.psViewer })).status).toBe(403);
    expect((await t.api(`/api/v1/analytics/cameras/${cameraId}/crowd?from=10&to=5`, { user: t.users.admin })).body.code).toBe('CROWD_RANGE_INVALID');
  });

  it('analyses one picture: plates and counts', async () => {
    const jpeg = await readFile(join(MEDIA_DIR, 'plates/green_suED51712_street.jpg'));
    const res = await post(t.users.trafficViewer, jpeg, 'image/jpeg');
    expect(res.status).toBe(200);
    expect(res.body.width).toBe(1920);
    expect(res.body.plates.map((p: { plate: string }) => p.plate)).toContain('苏ED51712');
    expect(res.body.vehicles).toBeGreaterThan(0);
  });

  it('refuses a 100k x 100k pixel claim, other media types, empty bodies and the wrong roles', async () => {
    const bomb = await post(t.users.admin, pngClaiming(100_000, 100_000), 'image/png');
    expect(bomb).toMatchObject({ status: 413, body: { code: 'IMAGE_TOO_LARGE' } });
    expect((await post(t.users.admin, Buffer.from('hello'), 'text/plain')).status).toBe(415);
    expect((await post(t.users.admin, Buffer.from('{}'), 'application/json')).body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await post(t.users.admin, Buffer.from('not an image'), 'image/jpeg')).body.code).toBe('IMAGE_DECODE_FAILED');
    expect((await post(t.users.auditor, pngClaiming(10, 10), 'image/png')).status).toBe(403);
    expect((await post(undefined, pngClaiming(10, 10), 'image/png')).status).toBe(401);
  });

  it('shows pipeline counters to admins only', async () => {
    const res = await t.api('/api/v1/analytics/stats', { user: t.users.admin });
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({ sampled: 0, passes: 0 });
    expect(res.body.analyser.kind).toBe('local');
    expect((await t.api('/api/v1/analytics/stats', { user: t.users.trafficApprover })).status).toBe(403);
  });
});
