import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { analyticsFeatures, cameraRegistry, waitFor } from './analytics-hub.ts';

/**
 * A camera with a crowd zone gets density maps from the workers: its live crowd figures carry the density
 * count next to the detector's, the heat map is a PNG of the map's size, and /metrics shows the zone's count.
 * A camera without zones never runs the density model.
 */
describeEachDatabase('crowd density end to end', (kind) => {
  let server: RtspServerHandle;
  let t: TestHub;

  beforeAll(async () => {
    server = await startRtspServer({ mounts: ['/crowd', '/nozones'], clipPath: await buildPresetClip('plates') });
    t = await startTestHub(kind, {
      features: [...analyticsFeatures, 'dashboard'],
      overrides: { analytics: { workers: 1, sampleFps: 2, crowd: { densityEverySeconds: 1 } } },
    });
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await server?.stop();
  });

  it('counts a zone with the density model and serves its heat map and metrics', async () => {
    const analytics = t.hub.services.analytics!;
    const cameras = cameraRegistry(t);
    const camera = await cameras.create({ name: 'Square', departmentId: t.departments.traffic, category: 'traffic', streamUrl: server.urlFor('/crowd'), analyticsEnabled: false });
    const bare = await cameras.create({ name: 'Lane', departmentId: t.departments.traffic, category: 'traffic', streamUrl: server.urlFor('/nozones'), analyticsEnabled: true });
    const zones = [{ id: 'left', name: '西侧', polygon: [{ x: 0, y: 0 }, { x: 0.5, y: 0 }, { x: 0.5, y: 1 }, { x: 0, y: 1 }], threshold: 100, durationSeconds: 10, areaSquareMetres: 400, densityThreshold: 2 }];
    const put = await t.api(`/api/v1/analytics/cameras/${camera.id}/zones`, { method: 'PUT', body: { zones }, user: t.users.trafficApprover });
    expect(put.status).toBe(200);
    await cameras.update(camera.id, { analyticsEnabled: true });
    await analytics.reconcile(camera.id);
    await analytics.reconcile(bare.id);

    const latest = await waitFor('a density count on the zoned camera', async () => {
      const r = await t.api(`/api/v1/analytics/cameras/${camera.id}/crowd/latest`, { user: t.users.trafficViewer });
      return r.status === 200 && r.body.density ? r.body : undefined;
    }, 120_000, 500);
    expect(Object.keys(latest.fused).sort()).toEqual(['_all', 'left']);
    expect(latest.density.left).toBeGreaterThanOrEqual(0);
    expect(latest.density.left).toBeLessThanOrEqual(latest.density._all + 1e-6);
    expect(latest.fused.left).toBeGreaterThanOrEqual(latest.detector.left);

    const png = await fetch(`${t.url}/api/v1/analytics/cameras/${camera.id}/crowd/heatmap.png`, { headers: { authorization: `Bearer ${t.users.trafficViewer.token}` } });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await png.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([latest.heatMap.width, latest.heatMap.height]);
    // Another department without a grant sees neither.
    expect((await t.api(`/api/v1/analytics/cameras/${camera.id}/crowd/latest`, { user: t.users.psViewer })).body.code).toBe('CAMERA_ACCESS_DENIED');

    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.users.admin.token}` } }).then((r) => r.text());
    expect(metrics).toMatch(new RegExp(`hub_crowd_people\\{camera="${camera.id}",zone="left"\\} \\d`));
    expect(metrics).toMatch(new RegExp(`hub_crowd_people_density\\{camera="${camera.id}",zone="left"\\} \\d`));

    // The camera without zones: detector counts only, no density model run, so no heat map.
    const plain = await waitFor('a count on the camera without zones', async () => {
      const r = await t.api(`/api/v1/analytics/cameras/${bare.id}/crowd/latest`, { user: t.users.trafficViewer });
      return r.status === 200 ? r.body : undefined;
    }, 120_000, 500);
    expect(plain.density).toBeNull();
    expect((await t.api(`/api/v1/analytics/cameras/${bare.id}/crowd/heatmap.png`, { user: t.users.trafficViewer })).body.code).toBe('CROWD_NO_DENSITY');
  }, 240_000);
});
