import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildClip, MEDIA_DIR } from '../../devtools/sim/test-clip.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { analyticsFeatures, cameraRegistry, waitFor } from './analytics-hub.ts';

/**
 * A white pickup (from media/scenes/street_dog_bicycle_car.jpg, its plate too small to read) drives from left to
 * right across a 1080p picture: the hub records a pass without a plate, with the vehicle's class, colour,
 * direction and crop, so investigators can still find it.
 */
async function drivingPickupClip(dir: string): Promise<string> {
  const pickup = await sharp(join(MEDIA_DIR, 'scenes/street_dog_bicycle_car.jpg')).extract({ left: 440, top: 60, width: 280, height: 130 }).resize(560, 260).toBuffer();
  const frames: string[] = [];
  for (let i = 0; i < 12; i++) {
    const file = join(dir, `frame-${String(i).padStart(2, '0')}.png`);
    await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#6b6f73' } })
      .composite([{ input: pickup, left: 40 + i * 110, top: 520 }]).png().toFile(file);
    frames.push(file);
  }
  return buildClip({ segments: [...frames.map((image) => ({ image, seconds: 0.5 })), { image: null, seconds: 4 }], cacheDir: dir });
}

describeEachDatabase('passes without a plate end to end', (kind) => {
  let server: RtspServerHandle;
  let t: TestHub;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hub-plateless-'));
    server = await startRtspServer({ mounts: ['/road'], clipPath: await drivingPickupClip(dir) });
    t = await startTestHub(kind, { features: analyticsFeatures, overrides: { analytics: { workers: 1, sampleFps: 2, passGapSeconds: 2, passBatchLingerMs: 50 } } });
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records the vehicle as a pass with no plate, its class, colour, direction and crop', async () => {
    const cameras = cameraRegistry(t);
    const camera = await cameras.create({ name: 'Road', departmentId: t.departments.traffic, category: 'traffic', streamUrl: server.urlFor('/road'), analyticsEnabled: true });
    await t.hub.services.analytics!.reconcile(camera.id);
    const pass = await waitFor('a pass without a plate', async () => {
      const rows = await t.hub.ctx.db.selectFrom('checkpoint_passes').selectAll().where('camera_id', '=', camera.id).execute();
      return rows.find((r) => r.plate === '');
    }, 120_000, 500);
    expect(['car', 'truck']).toContain(pass.vehicle_class);
    expect(pass.vehicle_colour).toBe('white');
    expect(pass.direction).toBe('left_to_right');
    const crop = await sharp(join(t.hub.ctx.dataDir, 'images', pass.crop_image_path!)).metadata();
    expect(crop.width! / crop.height!).toBeGreaterThan(1.2); // the vehicle, not a plate-sized strip
    // Searchable by camera and time like any pass.
    const search = await t.api(`/api/v1/checkpoint/passes?cameraId=${camera.id}`, { user: t.users.trafficViewer });
    expect(search.status).toBe(200);
    expect(search.body.items.some((p: { id: string }) => p.id === pass.id)).toBe(true);
  }, 180_000);
});
