import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { pass } from '../checkpoint/checkpoint-fixtures.ts';
import { addCamera, FAST_RELAY, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { seedCatalogue } from '../catalogue/catalogue-fixtures.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from './browser-session.ts';
import { horizontalOverflow } from './console-pages.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'map');
const SIZES = { desktop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } } as const;
const GATE = { lat: 31.2310, lon: 121.4745 };
const DEAD = { lat: 31.2330, lon: 121.4790 };

/**
 * The map (一张图) in Chromium at desktop and phone sizes: the cameras of every department with their status,
 * clustered; a marker opens live video; a drawn rectangle becomes an area access request; a checkpoint alert
 * flashes on its camera; a plate's trajectory drawn with times.
 */
describe('map page in headless Chromium', () => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let browser: Browser;
  let userDataDir: string;
  let gate: string;
  let dead: string;

  const open = async (size: keyof typeof SIZES, username: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: SIZES[size] });
    await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    const page = await context.newPage();
    await loginOnPage(page, t.url, username);
    return page;
  };
  const openMap = async (page: Page, hash = '#/map') => {
    await page.goto(`${t.url}/player/${hash}`);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid=camera-map]')?.dataset.cameras ?? 0) >= 522, undefined, { timeout: 30_000 });
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rtsp = await startSimCameras(['/gate']);
    t = await startTestHub('sqlite', { overrides: { relay: FAST_RELAY.relay, ingest: { healthIntervalMs: 3_000 } } });
    gate = await addCamera(t, rtsp.urlFor('/gate'), '人民广场东门');
    dead = await addCamera(t, 'rtsp://127.0.0.1:9/nothing', '福州路口');
    for (const [id, place] of [[gate, GATE], [dead, DEAD]] as const) {
      expect((await t.api(`/api/v1/cameras/${id}`, { method: 'PATCH', user: t.users.psApprover, body: { ...place, address: '上海市黄浦区人民大道' } })).status).toBe(200);
    }
    await seedCatalogue(t, 520);
    await until('the gate camera online and the dead one offline', async () => {
      const [a, b] = await Promise.all([t.api(`/api/v1/cameras/${gate}`, { user: t.users.admin }), t.api(`/api/v1/cameras/${dead}`, { user: t.users.admin })]);
      return a.body.status === 'online' && b.body.status === 'offline';
    }, 60_000, 500);
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await t?.stop();
    await rtsp?.stop();
  });

  for (const size of ['desktop', 'phone'] as const) {
    it(`${size}: shows every department's cameras clustered with their status, and opens live video from a marker`, async () => {
      const page = await open(size, 'psViewer');
      await openMap(page);
      expect(await page.locator('.cam-cluster').count()).toBeGreaterThan(0);
      expect(await page.getByTestId('map-count').textContent()).toContain('522');
      expect(await horizontalOverflow(page)).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, `${size}-map-overview.png`) });
      await openMap(page, `#/map?camera=${gate}`);
      const marker = page.locator(`.cam-marker[data-camera-id="${gate}"]`);
      await marker.waitFor({ timeout: 15_000 });
      expect(await marker.getAttribute('class')).toContain('cam-online');
      expect(await page.locator(`.cam-marker[data-camera-id="${dead}"]`).getAttribute('class')).toContain('cam-offline');
      await page.getByTestId('map-popup').waitFor();
      await page.screenshot({ path: join(ARTIFACTS, `${size}-map-camera.png`) });
      // "List what the map shows" carries the view's area to the catalogue.
      const listHref = (await page.getByTestId('map-list-view').getAttribute('href'))!;
      const listed = new URLSearchParams(listHref.split('?')[1]);
      expect(Number(listed.get('minLat'))).toBeLessThan(GATE.lat);
      expect(Number(listed.get('maxLon'))).toBeGreaterThan(GATE.lon);
      await page.locator(`[data-testid=map-popup][data-camera-id="${gate}"]`).getByTestId('map-watch').click();
      await page.waitForFunction(() => {
        const video = document.querySelector<HTMLVideoElement>('[data-testid=live-video]');
        return video !== null && video.currentTime > 1;
      }, undefined, { timeout: 60_000, polling: 250 });
      expect(page.url()).toContain(`#/live/${gate}`);
      await page.context().close();
    }, 150_000);
  }

  it('turns a rectangle drawn on the map into an area access request to the owner department', async () => {
    const page = await open('desktop', 'trafficViewer');
    await openMap(page, `#/map?camera=${gate}`);
    await page.keyboard.press('Escape');
    await page.getByTestId('draw-rectangle').click();
    const box = (await page.getByTestId('camera-map').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 5 });
    await page.mouse.up();
    const form = page.getByTestId('request-form');
    await form.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('request-targets').locator(`[data-owner="${t.departments.ps}"]`).count()).toBe(1);
    await page.getByTestId('purpose').fill('追查肇事逃逸车辆经过人民广场的路线');
    await page.getByTestId('legal-basis').fill('《道路交通安全法》第七十二条');
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-map-area-request.png') });
    await page.getByTestId('send-request').click();
    await page.getByTestId('request-sent').first().waitFor({ timeout: 10_000 });
    const rows = await t.hub.ctx.db.selectFrom('access_requests').selectAll().where('requester_department_id', '=', t.departments.traffic).where('target_kind', '=', 'area').execute();
    const toPs = rows.find((r) => r.owner_department_id === t.departments.ps)!;
    const area = JSON.parse(toPs.area!) as { minLat: number; minLon: number; maxLat: number; maxLon: number };
    expect(area.minLat).toBeLessThan(GATE.lat);
    expect(area.maxLat).toBeGreaterThan(GATE.lat);
    expect(area.minLon).toBeLessThan(GATE.lon);
    expect(area.maxLon).toBeGreaterThan(GATE.lon);
    expect(JSON.parse(toPs.scopes)).toEqual(['live']);

    // A polygon asks for the cameras inside it: a triangle around the gate camera's marker.
    await page.getByTestId('request-cancel').click();
    const at = (await page.locator(`.cam-marker[data-camera-id="${gate}"]`).boundingBox())!;
    const [cx, cy] = [at.x + at.width / 2, at.y + at.height / 2];
    await page.getByTestId('draw-polygon').click();
    await page.mouse.click(cx - 30, cy - 25);
    await page.mouse.click(cx + 30, cy - 25);
    await page.mouse.click(cx, cy + 30);
    await page.mouse.click(cx - 30, cy - 25);
    await form.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('request-targets').locator('li').count()).toBe(1);
    await page.getByTestId('purpose').fill('核查人民广场东门监控画面');
    await page.getByTestId('legal-basis').fill('《道路交通安全法》第七十二条');
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-map-polygon-request.png') });
    await page.getByTestId('send-request').click();
    await page.getByTestId('request-sent').first().waitFor({ timeout: 10_000 });
    const byCameras = await t.hub.ctx.db.selectFrom('access_requests').selectAll().where('requester_department_id', '=', t.departments.traffic).where('target_kind', '=', 'cameras').execute();
    expect(byCameras.map((r) => JSON.parse(r.camera_ids!))).toEqual([[gate]]);
    await page.context().close();
  }, 120_000);

  it('flashes a checkpoint alert on its camera and draws a plate\'s trajectory with times', async () => {
    const page = await open('desktop', 'psViewer');
    await openMap(page, `#/map?camera=${gate}`);
    await page.keyboard.press('Escape');
    const watch = await t.api('/api/v1/checkpoint/watchlist', { user: t.users.psApprover, body: { plate: '沪A9M0K1', matchKind: 'exact', reason: '在逃嫌疑车辆', validFrom: Date.now() - 600_000, validUntil: Date.now() + 3_600_000 } });
    expect(watch.status).toBe(201);
    const now = Date.now();
    const ingest = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [pass(dead, '沪A9M0K1', now - 120_000), pass(gate, '沪A9M0K1', now - 1_000)] } });
    expect(ingest.body.inserted).toBe(2);
    expect((await t.api('/api/v1/checkpoint/alerts', { user: t.users.psViewer })).body.map((a: { cameraId: string }) => a.cameraId)).toContain(gate);
    await page.locator(`.cam-marker.cam-alert[data-camera-id="${gate}"]`).waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('map-alert').first().textContent()).toContain('沪A9M0K1');
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-map-alert.png') });
    await openMap(page, `#/map?plate=${encodeURIComponent('沪A9M0K1')}`);
    await page.locator('.trajectory-label').nth(1).waitFor({ timeout: 10_000 });
    expect(await page.locator('.trajectory-label').count()).toBe(2);
    expect(await page.locator('.trajectory-label').last().textContent()).toContain('人民广场东门');
    expect(await page.getByTestId('map-trajectory').locator('li').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-map-trajectory.png') });
    // The trajectory page embeds the same map.
    await page.goto(`${t.url}/player/#/trajectory/${encodeURIComponent('沪A9M0K1')}`);
    await page.locator('[data-testid=trajectory-map][data-points="2"]').waitFor({ timeout: 15_000 });
    await page.getByTestId('trajectory-map').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-trajectory-page.png') });
    await page.context().close();
  }, 120_000);
});
