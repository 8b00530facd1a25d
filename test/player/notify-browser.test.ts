import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';
import { addCamera, pass } from '../checkpoint/checkpoint-fixtures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, DESKTOP, loginOnPage, PHONE } from './browser-session.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');
const HOUR = 3_600_000;
const SIZES = { desktop: DESKTOP, phone: PHONE } as const;

describeEachDatabase('alerts and requests reach people: badges, toasts, sound, desktop notifications (Chromium)', (kind) => {
  let t: TestHub;
  let browser: Browser;
  let ringRoad: string;

  /** Passes go in through the hub's checkpoint ingest route, as a checkpoint system or the analytics pipeline sends them. */
  const ingest = async (records: PassRecordInput[]) => {
    const result = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records } });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.inserted).toBe(records.length);
  };

  /** A person at one screen size, logged in, on the cameras page; the browser allows desktop notifications. */
  const personAt = async (size: keyof typeof SIZES, username: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: SIZES[size] });
    await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    await context.grantPermissions(['notifications'], { origin: t.url });
    const page = await context.newPage();
    // Desktop notifications shown by the page, as the browser gets them.
    await page.addInitScript(() => {
      const Original = window.Notification;
      (window as any).shownNotifications = [];
      class Recorded extends Original {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          (window as any).shownNotifications.push({ title, body: options?.body });
        }
      }
      Object.defineProperty(Recorded, 'permission', { get: () => Original.permission });
      Recorded.requestPermission = Original.requestPermission.bind(Original);
      window.Notification = Recorded as typeof Notification;
    });
    await loginOnPage(page, t.url, username);
    await page.goto(`${t.url}/player/#/cameras`);
    await page.locator('#view[data-page=cameras]').waitFor({ timeout: 15_000 });
    // The alert stream is open before the test makes anything happen.
    if (username !== 'auditor') await page.locator('[data-testid=toasts][data-alert-stream=open]').waitFor({ state: 'attached', timeout: 15_000 });
    return page;
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestHub(kind);
    ringRoad = await addCamera(t, t.departments.traffic, { name: 'Ring road' });
    await addCamera(t, t.departments.traffic, { name: 'North gate' });
    const crops = join(t.hub.ctx.dataDir, 'images', 'notify-test');
    mkdirSync(crops, { recursive: true });
    copyFileSync(join(process.cwd(), 'media', 'plates', 'aligned_crop_0.jpg'), join(crops, 'crop-0.jpg'));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('a watchlist hit raises a toast with the car crop and plate on the cameras page, with sound and a desktop notification', async () => {
    const watched = { desktop: '京C77777', phone: '京C88888' } as const;
    for (const plate of Object.values(watched)) {
      const created = await t.api('/api/v1/checkpoint/watchlist', {
        user: t.users.trafficApprover, body: { plate, matchKind: 'exact', reason: 'Stolen vehicle, case 2026-118', validUntil: Date.now() + HOUR },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    for (const size of ['desktop', 'phone'] as const) {
      const page = await personAt(size, 'trafficViewer');
      // The user turns on the sound (the click unlocks WebAudio) and desktop notifications (already allowed).
      await page.getByTestId('notify-settings').click();
      await page.getByTestId('notify-sound').check();
      await page.getByTestId('notify-desktop').check();
      await page.getByTestId('notify-settings').click();
      expect(await page.getByTestId('notify-hint').textContent()).toBe('');
      const badge = page.getByTestId('nav-badge-watchlists');
      expect(await badge.getAttribute('data-count')).toBe(size === 'desktop' ? '0' : '1');

      await ingest([pass(ringRoad, watched[size], Date.now(), { cropImagePath: 'notify-test/crop-0.jpg' })]);
      const toast = page.locator(`[data-testid=alert-toast][data-plate="${watched[size]}"]`);
      await toast.waitFor({ timeout: 15_000 });
      expect(await page.locator('#view').getAttribute('data-page')).toBe('cameras');
      expect(await toast.getByTestId('toast-plate').textContent()).toBe(watched[size]);
      expect(await toast.getByTestId('toast-where').textContent()).toContain('Ring road');
      expect(await toast.textContent()).toContain('Stolen vehicle');
      const crop = toast.getByTestId('toast-crop');
      await crop.waitFor({ timeout: 10_000 });
      await expect.poll(() => crop.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await crop.getAttribute('src')).toMatch(/^blob:/);
      expect(await toast.getAttribute('data-sound')).toBe('played');
      expect(await toast.getAttribute('data-desktop')).toBe('sent');
      const shown = await page.evaluate(() => (window as any).shownNotifications);
      expect(shown).toEqual([{ title: '布控预警', body: `${watched[size]} 经过 Ring road` }]);
      await expect.poll(() => badge.getAttribute('data-count'), { timeout: 10_000 }).toBe(size === 'desktop' ? '1' : '2');
      expect(await badge.textContent()).toBe(size === 'desktop' ? '1' : '2');
      // On a phone the menu folds behind its toggle, which carries the total.
      if (size === 'phone') expect(Number(await page.getByTestId('menu-badge').textContent())).toBeGreaterThanOrEqual(2);
      await page.screenshot({ path: join(ARTIFACTS, `${kind}-toast-${size}.png`) });

      // The toast stays when the user moves on, and closes with its button.
      await page.goto(`${t.url}/player/#/dashboard`);
      await page.locator('#view[data-page=dashboard]').waitFor({ timeout: 10_000 });
      await toast.getByTestId('toast-close').click();
      await toast.waitFor({ state: 'detached', timeout: 5_000 });
      await page.context().close();
    }
  });

  it('sound and desktop notifications stay off unless the user turns them on', async () => {
    const page = await personAt('desktop', 'trafficApprover');
    await ingest([pass(ringRoad, '京C77777', Date.now())]);
    const toast = page.locator('[data-testid=alert-toast][data-plate="京C77777"]');
    await toast.waitFor({ timeout: 15_000 });
    expect(await toast.getAttribute('data-sound')).toBe('off');
    expect(await toast.getAttribute('data-desktop')).toBe('off');
    expect(await page.evaluate(() => (window as any).shownNotifications)).toEqual([]);
    // No crop stored for this pass: the toast says so instead of a broken picture.
    await toast.getByTestId('toast-no-crop').waitFor({ timeout: 10_000 });
    await page.context().close();
  });

  it('an approver\'s menu counts a waiting request live, and the count drops once it is decided', async () => {
    const approver = await personAt('desktop', 'trafficApprover');
    const badge = approver.getByTestId('nav-badge-approvals');
    expect(await badge.getAttribute('data-count')).toBe('0');
    expect(await badge.isHidden()).toBe(true);
    // A viewer has no approvals entry, so no such badge.
    const viewer = await personAt('phone', 'trafficViewer');
    expect(await viewer.getByTestId('nav-badge-approvals').count()).toBe(0);
    await viewer.context().close();

    const request = await t.api('/api/v1/access/requests', {
      user: t.users.psViewer,
      body: { purpose: 'incident follow-up', legalBasis: 'Police Law art. 6', ownerDepartmentId: t.departments.traffic, targetKind: 'cameras', cameraIds: [ringRoad], scopes: ['live'], endsAt: Date.now() + HOUR },
    });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    await expect.poll(() => badge.getAttribute('data-count'), { timeout: 15_000 }).toBe('1');
    expect(await badge.isVisible()).toBe(true);
    expect(await badge.textContent()).toBe('1');
    const notice = approver.getByTestId('notice-toast').first();
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.getByTestId('notice-title').textContent()).toBe('新的访问申请待审批');
    expect(await notice.getByTestId('notice-detail').textContent()).toContain('incident follow-up');
    expect(await approver.getByTestId('nav-badge-notifications').getAttribute('data-count')).not.toBe('0');
    await approver.screenshot({ path: join(ARTIFACTS, `${kind}-approver-badge-desktop.png`) });

    // Deciding on the approvals page brings the count down without a reload.
    await approver.getByTestId('nav-approvals').click();
    await approver.getByTestId('approve').first().click();
    await expect.poll(() => badge.getAttribute('data-count'), { timeout: 15_000 }).toBe('0');
    expect(await badge.isHidden()).toBe(true);
    await approver.context().close();
  });
});
