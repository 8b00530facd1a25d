import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from './browser-session.ts';
import { addCamera, FAST_RELAY, grantToTraffic, rtspConnections, startSimCameras } from '../relay/relay-fixtures.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'player');

async function login(page: Page, url: string, username: string): Promise<void> {
  await loginOnPage(page, url, username);
  await page.getByTestId('camera').first().waitFor({ timeout: 15_000 });
}

/**
 * Waits until every matching <video> has played past 0.5 s and then advanced further: frames are decoded.
 * The bounds are generous (several streams start and decode at once on a loaded 2-core machine); tests
 * that use this set their own timeout above the sum.
 */
async function assertVideosAdvance(page: Page, selector: string, count: number, { startMs = 30_000, advanceMs = 30_000 } = {}): Promise<number[]> {
  await page.waitForFunction(({ selector, count }) => {
    const videos = Array.from(document.querySelectorAll<HTMLVideoElement>(selector));
    return videos.length === count && videos.every((v) => v.currentTime > 0.5);
  }, { selector, count }, { timeout: startMs, polling: 250 });
  const first = await page.$$eval(selector, (videos) => (videos as HTMLVideoElement[]).map((v) => v.currentTime));
  await page.waitForFunction(({ selector, first }) => {
    const videos = Array.from(document.querySelectorAll<HTMLVideoElement>(selector));
    return videos.length === first.length && videos.every((v, i) => v.currentTime > first[i]! + 0.5);
  }, { selector, first }, { timeout: advanceMs, polling: 250 });
  return first;
}

/** The live page's status once frames show: state playing, the protocol, and the words for them (Chinese by default). */
async function playing(page: Page, kind: string, words: string): Promise<void> {
  const status = page.getByTestId('play-status');
  await expect.poll(() => status.getAttribute('data-state'), { timeout: 15_000 }).toBe('playing');
  expect(await status.getAttribute('data-kind')).toBe(kind);
  expect(await status.textContent()).toBe(words);
}

/** Budget for a wall: up to 90 s for all tiles to start, 60 s more for each to advance, plus login. */
const WALL_WAITS = { startMs: 90_000, advanceMs: 60_000 };
const WALL_TEST_TIMEOUT = 200_000;

describeEachDatabase('web player in headless Chromium', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let browser: BrowserContext;
  let userDataDir: string;
  const cameras: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rtsp = await startSimCameras(['/north', '/south', '/east', '/west']);
    // Health probes run hourly here: each is a short extra RTSP session the pulled-once count must not see.
    t = await startTestHub(kind, { overrides: { relay: { ...FAST_RELAY.relay, viewerIdleSeconds: 10 }, ingest: { healthIntervalMs: 3_600_000 } } });
    for (const mount of ['north', 'south', 'east', 'west']) cameras.push(await addCamera(t, rtsp.urlFor(`/${mount}`), `Gate ${mount}`));
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
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
    await playing(page, 'flv', '播放中 · HTTP-FLV（低延迟）');
    await page.screenshot({ path: join(ARTIFACTS, `${kind}-live.png`) });
    // The HLS path plays too.
    await page.goto(`${t.url}/player/#/live/${cameras[1]}?protocol=hls`);
    await assertVideosAdvance(page, '[data-testid=live-video]', 1);
    await playing(page, 'hls', '播放中 · HLS（兼容）');
    // And WS-FLV, chosen on the page.
    await page.locator('[data-testid=protocol-choice] [data-protocol=ws-flv]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=play-status]')?.getAttribute('data-kind') === 'ws-flv', null, { timeout: 15_000, polling: 200 });
    await assertVideosAdvance(page, '[data-testid=live-video]', 1);
    await playing(page, 'ws-flv', '播放中 · WebSocket（低延迟）');
    const sessions = await t.hub.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'play.start').where('target_id', '=', cameras[1]!).execute();
    expect(sessions.some((row) => JSON.parse(row.details!).protocol === 'ws-flv')).toBe(true);
    await page.close();
  }, 120_000);

  it('opens a 4-tile wall with four cameras playing, each pulled once', async () => {
    const page = await browser.newPage();
    await login(page, t.url, 'psViewer');
    await page.goto(`${t.url}/player/#/wall/4?ids=${cameras.join(',')}`);
    await assertVideosAdvance(page, '[data-testid=tile-video]', 4, WALL_WAITS);
    // One pull per camera. A probe's DESCRIBE may still be closing, so wait for the count to settle; a second pull
    // of a camera would stay and fail this.
    await expect.poll(() => rtspConnections(rtsp.port), { timeout: 10_000, interval: 250 }).toBe(4);
    expect(await page.getByTestId('tile').evaluateAll((tiles) => tiles.map((tile) => (tile as HTMLElement).dataset.state))).toEqual(Array(4).fill('playing'));
    expect(await page.getByTestId('tile-status').allTextContents()).toEqual(Array(4).fill('播放中'));
    await page.screenshot({ path: join(ARTIFACTS, `${kind}-wall-4.png`) });
    await page.close();
  }, WALL_TEST_TIMEOUT);

  it('stops every wall tile of a revoked grant and says so', async () => {
    const grant = await grantToTraffic(t, cameras.slice(0, 2));
    const page = await browser.newPage();
    await login(page, t.url, 'trafficViewer');
    // Two granted cameras on a 4-tile wall: each camera plays in two tiles.
    await page.goto(`${t.url}/player/#/wall/4?ids=${cameras.slice(0, 2).join(',')}`);
    await assertVideosAdvance(page, '[data-testid=tile-video]', 4, WALL_WAITS);
    expect(await page.locator('[data-testid=tile][data-access-watch=grant]').count()).toBe(4);
    const revoked = await t.api(`/api/v1/access/grants/${grant}/revoke`, { user: t.users.psApprover, body: { reason: 'wall test' } });
    expect(revoked.status).toBe(200);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=tile] [data-testid=access-ended][data-reason=revoked]').length === 4, null, { timeout: 15_000, polling: 200 });
    expect(await page.getByTestId('access-ended').first().textContent()).toContain('对方部门已撤销授权');
    expect(await page.getByTestId('tile').evaluateAll((tiles) => tiles.map((tile) => (tile as HTMLElement).dataset.state))).toEqual(Array(4).fill('revoked'));
    expect(await page.getByTestId('tile-status').allTextContents()).toEqual(Array(4).fill('授权已撤销'));
    const frozen = await page.$$eval('[data-testid=tile-video]', (videos) => (videos as HTMLVideoElement[]).map((v) => v.currentTime));
    await page.waitForTimeout(1_500);
    expect(await page.$$eval('[data-testid=tile-video]', (videos) => (videos as HTMLVideoElement[]).map((v) => v.currentTime))).toEqual(frozen);
    await page.screenshot({ path: join(ARTIFACTS, `${kind}-wall-revoked.png`) });
    await page.close();
  }, WALL_TEST_TIMEOUT);

  it('tells a user without a grant that access is missing, with a request link', async () => {
    const page = await browser.newPage();
    await login(page, t.url, 'trafficViewer');
    expect(await page.getByTestId('watch').count()).toBe(0);
    await page.goto(`${t.url}/player/#/live/${cameras[0]}`);
    const notice = page.getByTestId('no-access');
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.textContent()).toContain('无权查看此摄像机');
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
