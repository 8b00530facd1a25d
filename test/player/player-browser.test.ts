import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../ingest/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, TEST_PASSWORD, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, rtspConnections, startSimCameras } from '../relay/relay-fixtures.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'player');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function login(page: Page, url: string, username: string): Promise<void> {
  await page.goto(`${url}/player/#/login`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('camera').first().waitFor({ timeout: 15_000 });
}

/** Waits until every matching <video> has played past `seconds` and then advanced further: frames are decoded. */
async function assertVideosAdvance(page: Page, selector: string, count: number): Promise<number[]> {
  await page.waitForFunction(({ selector, count }) => {
    const videos = Array.from(document.querySelectorAll<HTMLVideoElement>(selector));
    return videos.length === count && videos.every((v) => v.currentTime > 0.5);
  }, { selector, count }, { timeout: 30_000, polling: 200 });
  const first = await page.$$eval(selector, (videos) => (videos as HTMLVideoElement[]).map((v) => v.currentTime));
  await page.waitForFunction(({ selector, first }) => {
    const videos = Array.from(document.querySelectorAll<HTMLVideoElement>(selector));
    return videos.every((v, i) => v.currentTime > first[i]! + 0.5);
  }, { selector, first }, { timeout: 30_000, polling: 200 });
  return first;
}

describeEachDatabase('web player in headless Chromium', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let browser: BrowserContext;
  let userDataDir: string;
  const cameras: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rtsp = await startSimCameras(['/north', '/south', '/east', '/west']);
    t = await startTestHub(kind, { overrides: { relay: { ...FAST_RELAY.relay, viewerIdleSeconds: 10 } } });
    for (const mount of ['north', 'south', 'east', 'west']) cameras.push(await addCamera(t, rtsp.urlFor(`/${mount}`), `Gate ${mount}`));
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
    // Loopback only: anything else the page tries to reach is refused.
    await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  });
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await t?.stop();
    await rtsp?.stop();
  });

  it('logs in, lists cameras by department with status, and plays one live (frames advance)', async () => {
    const page = await browser.newPage();
    await login(page, t.url, 'psViewer');
    expect(await page.getByTestId('department').first().locator('h2').textContent()).toBe('Public Security Bureau');
    expect(await page.getByTestId('camera').count()).toBe(4);
    await page.screenshot({ path: join(ARTIFACTS, `${kind}-cameras.png`) });
    await page.locator(`[data-camera-id="${cameras[0]}"]`).getByTestId('watch').click();
    await assertVideosAdvance(page, '[data-testid=live-video]', 1);
    expect(await page.getByTestId('play-status').textContent()).toContain('playing (flv)');
    await page.screenshot({ path: join(ARTIFACTS, `${kind}-live.png`) });
    // The HLS path plays too.
    await page.goto(`${t.url}/player/#/live/${cameras[1]}?protocol=hls`);
    await assertVideosAdvance(page, '[data-testid=live-video]', 1);
    expect(await page.getByTestId('play-status').textContent()).toContain('playing (hls)');
    await page.close();
  });

  it('opens a 4-tile wall with four cameras playing, each pulled once', async () => {
    const page = await browser.newPage();
    await login(page, t.url, 'psViewer');
    await page.goto(`${t.url}/player/#/wall/4?ids=${cameras.join(',')}`);
    await assertVideosAdvance(page, '[data-testid=tile-video]', 4);
    expect(rtspConnections(rtsp.port)).toBe(4);
    await page.screenshot({ path: join(ARTIFACTS, `${kind}-wall-4.png`) });
    await page.close();
  });

  it('tells a user without a grant that access is missing, with a request link', async () => {
    const page = await browser.newPage();
    await login(page, t.url, 'trafficViewer');
    expect(await page.getByTestId('watch').count()).toBe(0);
    await page.goto(`${t.url}/player/#/live/${cameras[0]}`);
    const notice = page.getByTestId('no-access');
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.textContent()).toContain('No access');
    expect(await page.getByTestId('live-video').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, `${kind}-no-access.png`) });
    await page.getByTestId('request-access').click();
    await page.getByTestId('request-form').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, `${kind}-request-form.png`) });
    // The API agrees: no play session for this user.
    const refused = await t.api(`/api/v1/cameras/${cameras[0]}/play`, { user: t.users.trafficViewer, body: {} });
    expect(refused.status).toBe(403);
    await page.close();
  });
});
