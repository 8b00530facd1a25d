import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, startSimCameras } from '../relay/relay-fixtures.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, DESKTOP, loginOnPage, PHONE } from './browser-session.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');
const SIZES = { desktop: DESKTOP, phone: PHONE } as const;

/** Where the wall and its tiles are on the screen, and whether the page scrolls. */
const geometry = (page: Page) => page.evaluate(() => {
  const wall = document.querySelector('[data-testid=wall]')!.getBoundingClientRect();
  const tiles = Array.from(document.querySelectorAll('[data-testid=tile]')).map((tile) => tile.getBoundingClientRect());
  return {
    overflow: document.scrollingElement!.scrollHeight - window.innerHeight, innerHeight: window.innerHeight, wallBottom: wall.bottom,
    tiles: tiles.length, minWidth: Math.min(...tiles.map((r) => r.width)), minHeight: Math.min(...tiles.map((r) => r.height)), maxBottom: Math.max(...tiles.map((r) => r.bottom)),
  };
});
const tileStates = (page: Page) => page.getByTestId('tile').evaluateAll((tiles) => tiles.map((tile) => (tile as HTMLElement).dataset.state));
const tileCameras = (page: Page) => page.getByTestId('tile').evaluateAll((tiles) => tiles.map((tile) => (tile as HTMLElement).dataset.cameraId ?? null));

// The layouts table runs on SQLite and PostgreSQL in console-api.test.ts; the browser half runs once (SQLite)
// to spare the shared machine a second set of live streams.
describe('the video wall in headless Chromium [sqlite]', () => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let browser: Browser;
  const cam = { north: '', south: '', dead: '' };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rtsp = await startSimCameras(['/north', '/south']);
    t = await startTestHub('sqlite', { overrides: { relay: { ...FAST_RELAY.relay, viewerIdleSeconds: 10 } } });
    cam.north = await addCamera(t, rtsp.urlFor('/north'), 'Gate north');
    cam.south = await addCamera(t, rtsp.urlFor('/south'), 'Gate south');
    // Nothing listens there: the camera is dead.
    cam.dead = await addCamera(t, 'rtsp://127.0.0.1:9/dead', 'Gate dead');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await rtsp?.stop();
  });

  const person = async (size: keyof typeof SIZES, username: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: SIZES[size] });
    await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    const page = await context.newPage();
    // Every state each tile passes through, from the first one on.
    await page.addInitScript(() => {
      const seen: Record<string, string[]> = {};
      (window as any).tileHistory = seen;
      new MutationObserver((records) => {
        for (const record of records) {
          const tile = record.target as HTMLElement;
          if (tile.dataset.state) (seen[`${tile.dataset.index}:${tile.dataset.cameraId}`] ??= []).push(tile.dataset.state);
        }
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
    await loginOnPage(page, t.url, username);
    return page;
  };

  it('fits 1, 4, 9 and 16 tiles on one screen without scrolling, at 1366×768 and 390×844', async () => {
    for (const size of ['desktop', 'phone'] as const) {
      // A viewer of another department: every tile is an honest "no access" (no streams needed for the layout).
      const page = await person(size, 'trafficViewer');
      for (const tiles of [1, 4, 9, 16]) {
        await page.goto(`${t.url}/player/#/wall/${tiles}?ids=${cam.north},${cam.south},${cam.dead}`);
        await expect.poll(() => page.getByTestId('tile').count(), { timeout: 15_000 }).toBe(tiles);
        await expect.poll(() => tileStates(page), { timeout: 15_000 }).toEqual(Array(tiles).fill('no-access'));
        const g = await geometry(page);
        expect(g.overflow, JSON.stringify(g)).toBeLessThanOrEqual(0);
        expect(g.maxBottom).toBeLessThanOrEqual(g.innerHeight);
        expect(g.minHeight).toBeGreaterThan(size === 'desktop' ? (tiles === 16 ? 100 : 140) : 60);
        expect(g.minWidth).toBeGreaterThan(size === 'desktop' ? 250 : 80);
        if (tiles >= 9) await page.screenshot({ path: join(ARTIFACTS, `wall-${tiles}-${size}.png`) });
      }
      expect(await page.getByTestId('tile-status').first().textContent()).toBe('无权限');
      expect(await page.getByTestId('tile').first().getByTestId('request-access').getAttribute('href')).toBe(`#/request/${cam.north}`);
      await page.context().close();
    }
  }, 120_000);

  it('tells playing, offline/error and missing tiles apart; double-click enlarges; full screen', async () => {
    const page = await person('desktop', 'psViewer');
    await page.goto(`${t.url}/player/#/wall/4?ids=${cam.north},${cam.south},${cam.dead},no-such-camera`);
    await expect.poll(async () => (await tileStates(page)).slice(0, 2), { timeout: 90_000, interval: 500 }).toEqual(['playing', 'playing']);
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLVideoElement>('[data-testid=tile-video]')).slice(0, 2).every((v) => v.currentTime > 0.5), null, { timeout: 60_000 });
    expect((await tileStates(page))[3]).toBe('missing');
    // The dead camera's tile never claims to play: connecting, then offline or error.
    await expect.poll(async () => (await tileStates(page))[2], { timeout: 90_000, interval: 1_000 }).toMatch(/^(offline|error)$/);
    const history = await page.evaluate((id) => (window as any).tileHistory[`2:${id}`], cam.dead);
    expect(history[0]).toBe('connecting');
    expect(history).not.toContain('playing');
    expect(await page.getByTestId('tile-status').nth(2).textContent()).toMatch(/^(离线|出错)$/);
    expect(await page.getByTestId('tile-status').first().textContent()).toBe('播放中');
    const g = await geometry(page);
    expect(g.overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'wall-4-states-desktop.png') });

    // Double-click: the tile takes the whole wall; again: all four are back.
    await page.getByTestId('tile').first().dblclick();
    expect(await page.getByTestId('wall').getAttribute('data-enlarged')).toBe('0');
    const [wallBox, tileBox] = [await page.getByTestId('wall').boundingBox(), await page.getByTestId('tile').first().boundingBox()];
    expect(tileBox!.width).toBeGreaterThan(wallBox!.width - 2);
    expect(tileBox!.height).toBeGreaterThan(wallBox!.height - 2);
    expect(await page.getByTestId('tile').nth(1).isHidden()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'wall-enlarged-desktop.png') });
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('wall').getAttribute('data-enlarged')).toBeNull();
    expect(await page.getByTestId('tile').nth(1).isVisible()).toBe(true);

    await page.getByTestId('wall-fullscreen').click();
    await page.waitForFunction(() => (document.fullscreenElement as HTMLElement | null)?.dataset.testid === 'wall', null, { timeout: 10_000 });
    await page.evaluate(() => document.exitFullscreen());
    await page.waitForFunction(() => document.fullscreenElement === null, null, { timeout: 10_000 });
    await page.context().close();
  }, 240_000);

  it('saves a layout on the hub: it survives a reload, opens the same tiles, and can be deleted', async () => {
    const page = await person('desktop', 'trafficViewer');
    await page.goto(`${t.url}/player/#/wall/4?ids=${cam.north},${cam.south}`);
    await expect.poll(() => page.getByTestId('tile').count(), { timeout: 15_000 }).toBe(4);
    await page.getByTestId('layout-name').fill('路口甲');
    await page.getByTestId('layout-save').click();
    await expect.poll(() => page.getByTestId('layout-message').textContent(), { timeout: 10_000 }).toBe('布局“路口甲”已保存');

    await page.goto(`${t.url}/player/#/wall/1`);
    await page.reload();
    await expect.poll(() => page.getByTestId('tile').count(), { timeout: 15_000 }).toBe(1);
    await page.getByTestId('layout-select').selectOption({ label: '路口甲 (4)' });
    await expect.poll(() => page.getByTestId('tile').count(), { timeout: 15_000 }).toBe(4);
    expect(await tileCameras(page)).toEqual([cam.north, cam.south, cam.north, cam.south]);
    expect(page.url()).toContain('layout=');
    await page.screenshot({ path: join(ARTIFACTS, 'wall-layout-desktop.png') });

    await page.getByTestId('layout-delete').click();
    await expect.poll(() => page.getByTestId('layout-message').textContent(), { timeout: 10_000 }).toBe('布局已删除');
    await page.reload();
    await page.getByTestId('layout-select').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('layout-select').locator('option').allTextContents()).toEqual(['— 选择布局 —']);
    await page.context().close();
  }, 120_000);

  it('tours the saved layouts, and the cameras a wall at a time, every N seconds', async () => {
    for (const [name, size, cameraIds] of [['A 北门', 1, [cam.north]], ['B 南门', 4, [cam.south, cam.dead]]] as const) {
      const saved = await t.api('/api/v1/console/wall-layouts', { user: t.users.trafficViewer, body: { name, size, cameraIds } });
      expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    }
    const page = await person('phone', 'trafficViewer');
    await page.goto(`${t.url}/player/#/wall/4?tour=layouts&every=5`);
    const step = page.getByTestId('tour-step');
    await expect.poll(() => step.getAttribute('data-step'), { timeout: 15_000 }).toBe('1');
    expect(await tileCameras(page)).toEqual([cam.north]);
    await expect.poll(() => step.getAttribute('data-step'), { timeout: 20_000 }).toBe('2');
    expect(await tileCameras(page)).toEqual([cam.south, cam.dead, null, null]);
    await page.screenshot({ path: join(ARTIFACTS, 'wall-tour-phone.png') });
    await expect.poll(() => step.getAttribute('data-step'), { timeout: 20_000 }).toBe('1');

    // Started from the page: one camera per step, three cameras, three steps.
    await page.goto(`${t.url}/player/#/wall/1?ids=${cam.north},${cam.south},${cam.dead}`);
    // On a phone the layout and tour controls fold away behind one button.
    expect(await page.getByTestId('tour-mode').isHidden()).toBe(true);
    await page.getByTestId('wall-more').click();
    await page.getByTestId('tour-mode').selectOption('cameras');
    await page.getByTestId('tour-seconds').fill('5');
    await page.getByTestId('tour-toggle').click();
    await expect.poll(() => step.getAttribute('data-step'), { timeout: 15_000 }).toBe('1');
    expect(page.url()).toContain('tour=cameras');
    expect(await step.textContent()).toBe('轮巡 1/3 · 5 秒');
    await expect.poll(() => tileCameras(page), { timeout: 20_000 }).toEqual([cam.south]);
    await expect.poll(() => tileCameras(page), { timeout: 20_000 }).toEqual([cam.dead]);
    await page.getByTestId('wall-more').click();
    await page.getByTestId('tour-toggle').click();
    await expect.poll(() => page.getByTestId('tour-step').count(), { timeout: 10_000 }).toBe(0);
    await page.context().close();
  }, 120_000);
});
