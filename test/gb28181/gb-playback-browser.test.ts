import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { requestAndApprove } from '../access/access-fixture.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from '../player/browser-session.ts';
import { until } from '../relay/relay-fixtures.ts';
import { clipUnits, startGbHub, startSimDevice } from './gb-fixtures.ts';

const HOUR = 3_600_000;

describe('GB/T 28181 device recordings on the playback page (headless Chromium)', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  let browser: BrowserContext;
  let userDataDir: string;
  let camera: string;
  const nvrId = '34020000001180000052';

  beforeAll(async () => {
    t = await startGbHub('sqlite', {});
    nvr = await startSimDevice(t, nvrId, 1, { units: await clipUnits(), playbackSeconds: 30 });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
    camera = await until('GB camera online', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body as Array<{ id: string; source: string; status: string }>;
      return list.find((c) => c.source === 'gb28181' && c.status === 'online')?.id;
    });
    await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, {
      ownerDepartmentId: t.departments.community, targetKind: 'cameras', cameraIds: [camera], scopes: ['playback'], playbackLookback: 'days', playbackDays: 1, endsAt: Date.now() + HOUR,
    });
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-gbpb-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    nvr?.kill();
    await t?.stop();
  });

  it('a granted viewer sees the device recordings under the timeline, clicks one, and it plays from the device', async () => {
    const recordStart = Math.ceil(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const page = await loginOnPage(await browser.newPage(), t.url, 'trafficViewer');
    await page.goto(`${t.url}/player/#/playback?ids=${camera}&at=${recordStart + 10 * 60_000}`);
    await page.getByTestId('playback-reason').fill('案件 2026-120 设备录像');
    await page.getByTestId('playback-open').click();
    const record = page.getByTestId('timeline-device-record');
    await record.first().waitFor({ timeout: 30_000 });
    expect(await record.count()).toBe(1);
    await record.first().click();
    const video = page.locator('[data-from-device="true"] [data-testid="playback-video"]');
    await until('device playback playing', () => video.evaluate((v) => (v as HTMLVideoElement).readyState >= 3 && (v as HTMLVideoElement).currentTime > 1), 60_000);
    expect(nvr.playbacks.at(-1)).toMatchObject({ start: recordStart / 1_000, end: (recordStart + HOUR / 2) / 1_000 });
    // The clock shows the recording's time (the device plays from its start), not the wall clock.
    const shown = await page.getByTestId('playback-clock').textContent();
    expect(shown).not.toBe('—');
    // Pause, speed and play on the page are the device's to obey (MANSRTSP through the hub).
    await page.getByTestId('playback-pause').click();
    await until('pause sent to the device', () => nvr.controls.some((c) => c.command.kind === 'pause'), 20_000);
    await page.getByTestId('speed-2').click();
    await until('speed sent to the device', () => nvr.controls.some((c) => c.command.kind === 'play' && c.command.scale === 2), 20_000);
    await page.getByTestId('playback-play').click();
    await until('resumed on the device', () => nvr.controls.at(-1)?.command.kind === 'play' && !nvr.streamOf(nvr.playbacks.at(-1)!.callId)?.paused, 20_000);
    await page.close();
    await until('call ended after the page left', () => nvr.activeStreams === 0, 90_000);
  });
});
