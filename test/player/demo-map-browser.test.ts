import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { FAST_RELAY, until } from '../relay/relay-fixtures.ts';
import { DemoCameras } from '../../devtools/demo/demo-cameras.ts';
import { CameraAdoption } from '../../ingest/discovery/camera-adoption.ts';
import { CandidateStore } from '../../ingest/discovery/candidate-store.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from './browser-session.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'map');

/**
 * Issue 17 "must show": the map shows the demo's cameras (simulated ONVIF devices, discovered and adopted like
 * real ones) with their status, and a marker opens live video. The demo runs on the test hub (whose departments
 * it finds by name), so the test's users see its cameras as the demo's own accounts would.
 */
describe('the demo cameras on the map', () => {
  let t: TestHub;
  let browser: Browser;
  let demo: Array<{ id: string; department_id: string; name: string }>;
  let demoCameras: DemoCameras | undefined;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestHub('sqlite', { overrides: { relay: FAST_RELAY.relay, ingest: { healthIntervalMs: 2_000 } } });
    // The demo as `npm run demo` runs it, started once the test's departments and users exist.
    const ctx = { ...t.hub.ctx, config: { ...t.hub.ctx.config, demo: { ...t.hub.ctx.config.demo, sampleCameras: 3 } } };
    const registry = t.hub.services.cameras!;
    const candidates = new CandidateStore(ctx.db);
    demoCameras = new DemoCameras(ctx, registry, candidates, new CameraAdoption(ctx, registry, candidates));
    await demoCameras.start();
    await demoCameras.settled();
    demo = await t.hub.ctx.db.selectFrom('cameras').select(['id', 'department_id', 'name']).where('source', '=', 'demo').execute();
    expect(demo).toHaveLength(3);
    await until('every demo camera online', async () => {
      const statuses = await t.hub.ctx.db.selectFrom('cameras').select('status').where('source', '=', 'demo').execute();
      return statuses.every((s) => s.status === 'online');
    }, 90_000, 500);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await demoCameras?.stop();
    await t?.stop();
  });

  it('shows every demo camera online, the other departments\' ones ringed, and plays one from its marker', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    const page = await loginOnPage(await context.newPage(), t.url, 'psViewer');
    await page.goto(`${t.url}/player/#/map`);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid=camera-map]')?.dataset.cameras ?? 0) === 3, undefined, { timeout: 30_000 });
    // The map opens fitted to the cameras: all three apart, each with its status and access.
    for (const camera of demo) {
      const marker = page.locator(`.cam-marker[data-camera-id="${camera.id}"]`);
      await marker.waitFor({ timeout: 15_000 });
      const classes = (await marker.getAttribute('class'))!;
      expect(classes, camera.name).toContain('cam-online');
      expect(classes, camera.name).toContain(camera.department_id === t.departments.ps ? 'cam-allowed' : 'cam-denied');
    }
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-demo-cameras.png') });
    const own = demo.find((c) => c.department_id === t.departments.ps)!;
    await page.locator(`.cam-marker[data-camera-id="${own.id}"]`).click();
    await page.locator(`[data-testid=map-popup][data-camera-id="${own.id}"]`).getByTestId('map-watch').click();
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('[data-testid=live-video]')?.currentTime ?? 0) > 1, undefined, { timeout: 60_000, polling: 250 });
    await context.close();
  }, 150_000);
});
