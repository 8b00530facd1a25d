import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { liveProcessGroups } from '../../api/kernel/process/supervised-process.ts';
import { buildPresetClip, PLATES_CLIP_SECONDS, PLATES_TIMELINE } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { analyticsFeatures, cameraRegistry, waitFor } from './analytics-hub.ts';

const SAMPLE_FPS = 2;
const PLATE_SHOWING_SECONDS = 4;
// Sample until 3 s before the clip loops back to its first car, so every car is shown exactly once.
const FRAMES_IN_ONE_LOOP = (PLATES_CLIP_SECONDS - 3) * SAMPLE_FPS;
const mustRead = PLATES_TIMELINE.filter((e) => e.plate && e.mustRead).map((e) => e.plate!);
const labelled = new Set(PLATES_TIMELINE.flatMap((e) => (e.plate ? [e.plate] : [])));

/**
 * End to end: a real RTSP server streams the "plates" clip (each car for 4 s, black between); the hub
 * samples it at 2 fps through ffmpeg, gates static frames, reads plates in a worker thread, merges the
 * frames of each car into one pass and stores it through the analytics:passes queue in the checkpoint
 * database. One loop of the clip must yield exactly one pass per car, with the right plate and a crop that opens.
 */
describeEachDatabase('analytics pipeline end to end', (kind) => {
  let server: RtspServerHandle;
  let t: TestHub;

  beforeAll(async () => {
    const clip = await buildPresetClip('plates');
    server = await startRtspServer({ mounts: ['/plates'], clipPath: clip });
    t = await startTestHub(kind, {
      features: analyticsFeatures,
      overrides: { analytics: { workers: 1, sampleFps: SAMPLE_FPS, passGapSeconds: 3, passBatchLingerMs: 50 } },
    });
  }, 240_000);
  afterAll(async () => {
    await t?.stop();
    await server?.stop();
  });

  it('records exactly one pass per car with the right plate, and its crop opens', async () => {
    const analytics = t.hub.services.analytics!;
    const cameras = cameraRegistry(t);
    const childrenBefore = liveProcessGroups().length; // the RTSP server and the private redis-server
    const camera = await cameras.create({ name: 'Checkpoint 1', departmentId: t.departments.traffic, category: 'traffic', streamUrl: server.urlFor('/plates'), analyticsEnabled: true });
    await analytics.reconcile(camera.id);

    const cameraStats = async () => (await analytics.analyticsStats()).cameras.find((c) => c.cameraId === camera.id);
    await waitFor('one loop of the clip sampled', async () => ((await cameraStats())?.sampled ?? 0) >= FRAMES_IN_ONE_LOOP ? true : undefined, 120_000, 200);

    // Switch analytics off for the camera: ffmpeg stops, queued frames finish, open passes are handed over.
    await cameras.update(camera.id, { analyticsEnabled: false });
    await analytics.reconcile(camera.id);
    const stats = (await cameraStats())!;
    expect(stats.running).toBe(false);
    expect(liveProcessGroups().length).toBe(childrenBefore); // no ffmpeg left behind
    const queueIdle = async () => {
      const q = (await analytics.analyticsStats()).passQueue;
      return (q.waiting ?? 0) + (q.active ?? 0) + (q.delayed ?? 0) === 0 ? true : undefined;
    };
    await waitFor('the pass queue to drain', queueIdle, 30_000, 100);

    const rows = await t.hub.ctx.db.selectFrom('checkpoint_passes').selectAll().where('camera_id', '=', camera.id).execute();
    const plates = rows.map((r) => r.plate).sort();
    // The RTSP server plays its clip from the first client's DESCRIBE (the health probe), so the sampler may join
    // mid-loop and see the first car at the start and again at the end of its 17 s: one pass per showing means
    // passes of the same plate at least a loop minus one showing apart, never two for one showing.
    const timeline = JSON.stringify(rows.map((r) => [r.plate, r.passed_at % 100_000]));
    for (const plate of mustRead) expect(plates.filter((p) => p === plate).length, `passes for ${plate} in ${timeline}`).toBeGreaterThanOrEqual(1);
    for (const plate of new Set(plates)) {
      const times = rows.filter((r) => r.plate === plate).map((r) => r.passed_at).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1], `one pass per showing of ${plate}: ${timeline}`).toBeGreaterThanOrEqual((PLATES_CLIP_SECONDS - PLATE_SHOWING_SECONDS) * 1_000);
    }
    for (const plate of plates) expect(labelled.has(plate), `${plate} is a plate the clip shows`).toBe(true);
    expect(stats.passes).toBe(rows.length);

    for (const row of rows) {
      expect(row.crop_image_path).toMatch(/^\d{4}-\d{2}-\d{2}\/ap_[0-9a-f]{40}-crop\.jpg$/);
      const crop = await sharp(join(t.hub.ctx.dataDir, 'images', row.crop_image_path!)).metadata();
      expect(crop.format).toBe('jpeg');
      expect(crop.width).toBeGreaterThan(0);
      const scene = await sharp(join(t.hub.ctx.dataDir, 'images', row.scene_image_path!)).metadata();
      expect(scene.width).toBeLessThanOrEqual(1280);
      expect(JSON.parse(row.char_confidences)).toHaveLength([...row.plate].length);
    }
    const green = rows.find((r) => r.plate === '苏ED51712')!;
    expect(green.plate_colour).toBe('green');
    expect(green.vehicle_colour).toBe('white'); // the white car of the street photo
    expect(green.direction).toBeNull(); // a still picture: the car never moves

    // Static stretches (each car holds still for 4 s) cost no inference.
    expect(stats.gated).toBeGreaterThan(0);
    // Every sampled frame ends one way; frames dropped for want of a buffer were never sampled (load does that).
    expect(stats.inferred + stats.gated + (stats.dropped - stats.droppedNoBuffer) + stats.failed).toBe(stats.sampled);
    const series = await t.hub.ctx.db.selectFrom('crowd_samples').select(['zone_id']).where('camera_id', '=', camera.id).execute();
    expect(series.some((s) => s.zone_id === '_all')).toBe(true);
  }, 180_000);
});
