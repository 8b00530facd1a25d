import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from './browser-session.ts';
import { addCamera, FAST_RELAY, startSimCameras, until } from '../relay/relay-fixtures.ts';

/** Seconds the video's currentTime moves on over `ms`. */
async function advance(page: import('playwright-core').Page, ms: number): Promise<number> {
  const before = await page.getByTestId('live-video').evaluate((v) => (v as HTMLVideoElement).currentTime);
  await page.waitForTimeout(ms);
  return (await page.getByTestId('live-video').evaluate((v) => (v as HTMLVideoElement).currentTime)) - before;
}

// Security #13 in the real browser: the binding cookie rides along by itself and hls.js moves to each renewed
// token, so playback survives renewals although every superseded token is refused after the grace.
describeEachDatabase('play renewals in headless Chromium (HLS, 10 s tokens)', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let browser: BrowserContext;
  let userDataDir: string;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/hall']);
    t = await startTestHub(kind, { overrides: { relay: { ...FAST_RELAY.relay, viewerIdleSeconds: 10, playTokenTtlSeconds: 10, playTokenGraceSeconds: 2 } } });
    camera = await addCamera(t, rtsp.urlFor('/hall'), 'Hall');
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
    await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  });
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await t?.stop();
    await rtsp?.stop();
  });

  it('keeps playing HLS across renewals; media fetches move to each new token and none is refused', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    const tokens = new Set<string>();
    let renewals = 0;
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (url.pathname.startsWith('/media/')) {
        tokens.add(url.searchParams.get('token') ?? '');
        if (response.status() >= 400) refused.push(`${response.status()} ${url.pathname}`);
      }
      if (url.pathname.endsWith('/renew') && response.status() === 200) renewals++;
    });
    await loginOnPage(page, t.url, 'psViewer');
    await page.goto(`${t.url}/player/#/live/${camera}?protocol=hls`);
    await page.waitForFunction(() => (document.querySelector('[data-testid=live-video]') as HTMLVideoElement | null)?.currentTime! > 0.5, null, { timeout: 30_000, polling: 250 });
    await until('three renewals', () => renewals >= 3, 40_000, 250);
    expect(await advance(page, 3_000)).toBeGreaterThan(1);
    expect(await page.getByTestId('play-status').getAttribute('data-state')).toBe('playing');
    expect(await page.getByTestId('play-status').textContent()).toBe('播放中 · HLS（兼容）');
    expect(refused).toEqual([]);
    expect(tokens.size).toBeGreaterThanOrEqual(3);
    await page.close();
  }, 120_000);
});
