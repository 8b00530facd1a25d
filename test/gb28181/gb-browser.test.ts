import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { requestAndApprove } from '../access/access-fixture.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from '../player/browser-session.ts';
import { until } from '../relay/relay-fixtures.ts';
import { clipUnits, startGbHub, startSimDevice } from './gb-fixtures.ts';

/** Waits until the page's live <video> has played past 0.5 s and then advanced by another 0.5 s. */
async function videoAdvances(page: Page): Promise<void> {
  await page.waitForFunction(() => ((document.querySelector('[data-testid=live-video]') as HTMLVideoElement | null)?.currentTime ?? 0) > 0.5, null, { timeout: 45_000, polling: 250 });
  const first = await page.$eval('[data-testid=live-video]', (v) => (v as HTMLVideoElement).currentTime);
  await page.waitForFunction((t0) => ((document.querySelector('[data-testid=live-video]') as HTMLVideoElement | null)?.currentTime ?? 0) > t0 + 0.5, first, { timeout: 30_000, polling: 250 });
}

describe('GB/T 28181 channel in the web player (headless Chromium)', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  let browser: BrowserContext;
  let userDataDir: string;
  let camera: string;
  const nvrId = '34020000001180000051';

  beforeAll(async () => {
    t = await startGbHub('sqlite', {});
    nvr = await startSimDevice(t, nvrId, 1, { units: await clipUnits() });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
    camera = await until('GB camera online', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body as Array<{ id: string; source: string; status: string }>;
      return list.find((c) => c.source === 'gb28181' && c.status === 'online')?.id;
    });
    await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, {
      ownerDepartmentId: t.departments.community, targetKind: 'cameras', cameraIds: [camera], scopes: ['live'], endsAt: Date.now() + 3_600_000,
    });
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-gb-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
    await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    nvr?.kill();
    await t?.stop();
  });

  it('a traffic viewer with a grant plays the community NVR channel as FLV and HLS; frames advance', async () => {
    const page = await browser.newPage();
    await loginOnPage(page, t.url, 'trafficViewer');
    await page.goto(`${t.url}/player/#/live/${camera}`);
    await videoAdvances(page);
    expect(await page.getByTestId('play-status').getAttribute('data-kind')).toBe('flv');
    await page.goto(`${t.url}/player/#/live/${camera}?protocol=hls`);
    await videoAdvances(page);
    expect(await page.getByTestId('play-status').getAttribute('data-kind')).toBe('hls');
    // One INVITE per pull: the FLV pull may have idled out (idleStopSeconds 1) before the HLS page took its lease.
    expect(nvr.invites).toBeLessThanOrEqual(2);
    await page.close();
  }, 150_000);
});
