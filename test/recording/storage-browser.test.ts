import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, login, personContext } from '../player/browser-session.ts';
import { addCamera, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { RECORDING_FEATURES, recordingOverrides, segmentsOf } from './recording-fixtures.ts';

/** The dashboard page shows recording storage (Chinese by default) with the recorded camera's figures. */
describe('recording storage on the dashboard (Chromium)', () => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let browser: Browser;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/dash']);
    t = await startTestHub('sqlite', { overrides: recordingOverrides(), features: [...RECORDING_FEATURES, 'player'] });
    camera = await addCamera(t, rtsp.urlFor('/dash'), 'Dashboard gate');
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await rtsp?.stop();
  });

  it('lists bytes, days kept and gaps per camera', async () => {
    expect((await t.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: t.users.psApprover, body: { mode: 'continuous' } })).status).toBe(200);
    await until('segments', async () => (await segmentsOf(t, camera)).length >= 2, 60_000, 250);
    const page = await login(await personContext(browser), t.url, 'admin');
    await page.getByTestId('nav-dashboard').click();
    const panel = page.getByTestId('recording-storage');
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.locator('h2').textContent()).toBe('录像存储');
    const row = page.getByTestId('recording-storage-row').filter({ hasText: 'Dashboard gate' });
    expect(await row.count()).toBe(1);
    const cells = await row.locator('td').allTextContents();
    expect(cells[1]).toMatch(/^\d+(\.\d)? (KB|MB)$/);
    expect(cells[3]).toBe('0');
    expect(cells[5]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});
