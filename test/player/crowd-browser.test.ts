import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CrowdRecorder } from '../../analytics/crowd/crowd-recorder.ts';
import { CrowdStore } from '../../analytics/crowd/crowd-store.ts';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { cameraRegistry } from '../pipeline/analytics-hub.ts';
import { FAST_RELAY } from '../relay/relay-fixtures.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, login, personContext } from './browser-session.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'crowd');
// Where the approver clicks on the snapshot, as fractions of the picture: a quadrilateral in the middle.
const CLICKS = [[0.2, 0.25], [0.8, 0.25], [0.75, 0.8], [0.25, 0.8]] as const;

/**
 * The crowd page against a real hub: a real RTSP server streams the 'plates' clip, analytics samples it and
 * stores one whole-picture count per second; the page draws zones on the real snapshot and charts the counts.
 */
describeEachDatabase('crowd page in headless Chromium', (kind) => {
  let server: RtspServerHandle;
  let t: TestHub;
  let browser: Browser;
  let cameraId = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startRtspServer({ mounts: ['/plates'], clipPath: await buildPresetClip('plates') });
    t = await startTestHub(kind, { overrides: { relay: FAST_RELAY.relay, analytics: { workers: 1, sampleFps: 2, crowdSampleSeconds: 1 } } });
    const camera = await cameraRegistry(t).create({ name: 'Square east', departmentId: t.departments.traffic, category: 'traffic', streamUrl: server.urlFor('/plates'), analyticsEnabled: true });
    cameraId = camera.id;
    await t.hub.services.analytics!.reconcile(cameraId);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await server?.stop();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${kind}-${name}.png`), fullPage: true });
  const zonesPath = () => `/api/v1/analytics/cameras/${cameraId}/zones`;

  it('an approver of the owning department draws a zone on the snapshot, saves it, and sees counts from real frames', async () => {
    const page = await login(await personContext(browser), t.url, 'trafficApprover');
    await page.getByTestId('nav-crowd').click();
    await page.locator(`[data-testid=crowd-cameras] [data-camera-id="${cameraId}"]`).getByTestId('crowd-link').click();
    await page.getByTestId('zone-editor').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('no-zones').isVisible()).toBe(true);

    // The snapshot comes through the API with the bearer token; then four clicks make the polygon.
    await page.locator('img[data-testid=zone-snapshot][data-loaded=true]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('zone-snapshot').getAttribute('src')).toMatch(/^blob:/);
    const box = (await page.getByTestId('zone-snapshot').boundingBox())!;
    for (const [x, y] of CLICKS) await page.getByTestId('zone-board').click({ position: { x: x * box.width, y: y * box.height } });
    expect(await page.getByTestId('zone-points').textContent()).toBe('4 个点');
    expect((await page.locator('[data-testid=zone-overlay] polygon').getAttribute('points'))!.split(' ')).toHaveLength(4);
    await page.getByTestId('zone-name-input').fill('Fountain');
    await page.getByTestId('zone-threshold').fill('7');
    await page.getByTestId('zone-seconds').fill('15');
    await shot(page, '0-drawing');
    await page.getByTestId('zone-save').click();
    await expect.poll(() => page.getByTestId('zone-name').allTextContents(), { timeout: 10_000 }).toEqual(['Fountain']);
    expect(await page.locator('[data-testid=zone-overlay] polygon.zone-existing').count()).toBe(1);

    // The API has it, in normalised picture coordinates where the clicks were.
    const stored = await t.api(zonesPath(), { user: t.users.admin });
    expect(stored.status).toBe(200);
    expect(stored.body.zones).toHaveLength(1);
    const zone = stored.body.zones[0];
    expect(zone).toMatchObject({ name: 'Fountain', threshold: 7, durationSeconds: 15 });
    zone.polygon.forEach((p: { x: number; y: number }, i: number) => {
      expect(p.x).toBeCloseTo(CLICKS[i]![0], 1);
      expect(p.y).toBeCloseTo(CLICKS[i]![1], 1);
    });

    // Counts from the real stream reach the chart and the latest-count list (the page polls).
    await expect.poll(async () => Number(await page.getByTestId('crowd-chart').getAttribute('data-samples')), { timeout: 120_000, interval: 1_000 }).toBeGreaterThan(0);
    await page.locator('[data-testid=latest-count][data-zone=_all]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid=crowd-chart] .crowd-series[data-zone=_all] circle').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('no-crowd-alerts').isVisible()).toBe(true);
    // With a zone, the density model runs: the heat map lies over the still and each zone shows both counts.
    await expect.poll(async () => page.locator('img[data-testid=density-heat]:not([hidden])').evaluate((img: HTMLImageElement) => img.naturalWidth).catch(() => 0), { timeout: 120_000, interval: 1_000 }).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=density-figure]').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-testid=density-figure][data-zone=_all]').textContent()).toMatch(/检测 \d+ · 密度 \d+/);
    await shot(page, '1-approver');

    // The range selector keeps the page and widens the query.
    await page.locator('[data-testid=crowd-range] [data-range="6h"]').click();
    await expect.poll(() => page.evaluate(() => location.hash), { timeout: 10_000 }).toContain('range=6h');
    await expect.poll(async () => Number(await page.getByTestId('crowd-chart').getAttribute('data-samples')), { timeout: 20_000 }).toBeGreaterThan(0);
  }, 240_000);

  it('a viewer of the department reads zones and crowd alerts without the editor; another department without a grant is refused', async () => {
    // The 'plates' clip shows no crowd, so two alerts go in through the hub's own recorder (database + crowd.alert event).
    const recorder = new CrowdRecorder(new CrowdStore(t.hub.ctx.db), t.hub.ctx.events, t.hub.ctx.log);
    const now = Date.now();
    recorder.alertRaised({ cameraId, zoneId: 'north-steps', startedAt: now - 600_000, raisedAt: now - 570_000, threshold: 5, count: 9, trigger: 'count' });
    recorder.alertEnded({ cameraId, zoneId: 'north-steps', endedAt: now - 300_000, peakCount: 14 });
    recorder.alertRaised({ cameraId, zoneId: 'south-steps', startedAt: now - 120_000, raisedAt: now - 90_000, threshold: 3, count: 4, trigger: 'count' });
    await recorder.idle();

    const viewer = await login(await personContext(browser), t.url, 'trafficViewer');
    await viewer.goto(`${t.url}/player/#/crowd/${cameraId}`);
    await viewer.getByTestId('zone-row').first().waitFor({ timeout: 15_000 });
    // Newest first: the open one, then the ended one with its peak.
    await expect.poll(() => viewer.getByTestId('crowd-alert-state').allTextContents(), { timeout: 10_000 }).toEqual(['进行中', '已结束']);
    expect(await viewer.getByTestId('crowd-alert-state').evaluateAll((nodes) => nodes.map((n) => (n as HTMLElement).dataset.state))).toEqual(['open', 'ended']);
    expect(await viewer.getByTestId('crowd-alert').nth(1).textContent()).toContain('north-steps：自 ');
    expect(await viewer.getByTestId('crowd-alert').nth(1).textContent()).toMatch(/超过 5 人，峰值 14 人/);
    await shot(viewer, '2-viewer');
    expect(await viewer.getByTestId('zone-editor').count()).toBe(0);
    expect((await t.api(zonesPath(), { method: 'PUT', user: t.users.trafficViewer, body: { zones: [] } })).status).toBe(403);

    const outsider = await login(await personContext(browser), t.url, 'psViewer');
    await outsider.goto(`${t.url}/player/#/crowd/${cameraId}`);
    await outsider.getByTestId('no-access').waitFor({ timeout: 15_000 });
    expect(await outsider.getByTestId('crowd-chart').count()).toBe(0);
    expect(await outsider.getByTestId('zone-row').count()).toBe(0);
    expect((await t.api(`/api/v1/analytics/cameras/${cameraId}/crowd`, { user: t.users.psViewer })).status).toBe(403);
    expect((await t.api(zonesPath(), { user: t.users.psViewer })).status).toBe(403);
    await shot(outsider, '3-refused');
  }, 60_000);
});
