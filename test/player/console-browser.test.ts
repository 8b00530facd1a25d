import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { addCamera as addCheckpointCamera, pass } from '../checkpoint/checkpoint-fixtures.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, startSimCameras } from '../relay/relay-fixtures.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, DESKTOP, login, PHONE, personContext } from './browser-session.ts';
import { fontReport, horizontalOverflow, menuTo, visibleText } from './console-pages.ts';

// The console as Chinese users meet it, at an office desktop (1366×768) and a phone (390×844): Chinese by
// default, readable fonts, a menu that folds on the phone, one page at a time however fast the menu is
// clicked. Screenshots of every page at both sizes go to test-artifacts/console/ (git-ignored).
// The pages' storage is the same on both databases (the workflow test runs both); this one runs on SQLite.
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'console');
const SIZES = { desktop: DESKTOP, phone: PHONE } as const;

describe('console in Chinese, desktop and phone, headless Chromium', () => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let browser: Browser;
  let gate: string;
  let yard: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    rtsp = await startSimCameras(['/gate', '/yard']);
    t = await startTestHub('sqlite', { overrides: { relay: { ...FAST_RELAY.relay, viewerIdleSeconds: 10 } } });
    gate = await addCamera(t, rtsp.urlFor('/gate'), '公安局大门');
    yard = await addCamera(t, rtsp.urlFor('/yard'), '停车场入口');
    // Checkpoint passes with real plate crops, so the traffic pages are shown with rows (and cards on the phone).
    const north = await addCheckpointCamera(t, t.departments.traffic, { name: '北二环卡口', lat: 39.95, lon: 116.40 });
    const east = await addCheckpointCamera(t, t.departments.traffic, { name: '东三环卡口', lat: 39.92, lon: 116.46 });
    const crops = join(t.hub.ctx.dataDir, 'images', 'console-test');
    mkdirSync(crops, { recursive: true });
    for (const i of [0, 1]) copyFileSync(join(process.cwd(), 'media', 'plates', `aligned_crop_${i}.jpg`), join(crops, `crop-${i}.jpg`));
    const at = Date.now() - 3_600_000;
    const passes = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [
      pass(north, '京A12345', at - 600_000, { cropImagePath: 'console-test/crop-0.jpg' }),
      pass(east, '京A12345', at, { cropImagePath: 'console-test/crop-1.jpg', plateColour: 'blue' }),
    ] } });
    if (passes.status !== 200) throw new Error(`passes not stored: ${JSON.stringify(passes.body)}`);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await rtsp?.stop();
  });

  it('serves a favicon and a Chinese index page', async () => {
    const icon = await fetch(`${t.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    expect([...new Uint8Array(await icon.arrayBuffer()).subarray(0, 4)]).toEqual([0, 0, 1, 0]); // ICO header
    const index = await (await fetch(`${t.url}/player/`)).text();
    expect(index).toContain('<html lang="zh-CN">');
    expect(index).toContain('<title>视频资源共享平台</title>');
  });

  it('renders Chinese with real glyphs, not boxes (the CJK fonts are installed)', async () => {
    const page = await (await personContext(browser)).newPage();
    await page.goto(`${t.url}/player/#/login`);
    await page.getByTestId('login-form').waitFor();
    const report = await fontReport(page);
    // Two different characters drawn alike are both the missing-glyph box; so is a private-use character.
    expect(report.sameAsEachOther).toBe(false);
    expect(report.sameAsMissing).toBe(false);
    expect(report.inked).toBe(true);
    expect(await page.locator('h1').textContent()).toBe('登录');
    // An API error code reaches the user in words: LOGIN_FAILED.
    await page.locator('input[name=username]').fill('psViewer');
    await page.locator('input[name=password]').fill('not the password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent(), { timeout: 10_000 }).toBe('用户名或密码错误。');
    await page.context().close();
  });

  for (const [size, viewport] of Object.entries(SIZES)) {
    it(`request → approve → grant, in Chinese at ${size} size (${viewport.width}×${viewport.height})`, async () => {
      const a = await login(await personContext(browser, viewport), t.url, 'trafficViewer');
      expect(await a.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
      if (size === 'phone') {
        // The menu folds behind the toggle and opens over the page.
        expect(await a.getByTestId('menu').isVisible()).toBe(false);
        await a.getByTestId('menu-toggle').click();
        expect(await a.getByTestId('menu').isVisible()).toBe(true);
        expect(await a.getByTestId('time-zone').isVisible()).toBe(true); // the language and zone pickers fold in with it
        expect(await horizontalOverflow(a)).toBe(0);
        await a.screenshot({ path: join(ARTIFACTS, 'phone-menu-open.png') });
        await a.getByTestId('menu-toggle').click();
        expect(await a.getByTestId('time-zone').isVisible()).toBe(false);
      }
      await menuTo(a, 'requests', size === 'phone');
      // Cameras not yet watchable, listed by name as links (not the links' URLs as text). Each size asks for its own camera.
      const camera = size === 'desktop' ? '公安局大门' : '停车场入口';
      const requestable = a.getByTestId('requestable');
      await requestable.waitFor({ timeout: 10_000 });
      expect(await requestable.textContent()).toContain(camera);
      expect(await requestable.textContent()).not.toContain('http');
      expect(await requestable.locator('a').allTextContents()).toContain(camera);
      await requestable.locator('a', { hasText: camera }).click();
      await a.getByTestId('request-form').waitFor({ timeout: 10_000 });
      expect(await a.getByTestId('request-form').locator('h1').textContent()).toBe(`申请访问 ${camera}`);
      await a.getByTestId('purpose').fill(`${size}：追查肇事逃逸车辆`);
      await a.getByTestId('legal-basis').fill('《道路交通安全法》第七十二条');
      await a.getByTestId('send-request').click();
      await expect.poll(() => a.getByTestId('request-result').getAttribute('data-state'), { timeout: 10_000 }).toBe('sent');
      expect(await a.getByTestId('request-result').textContent()).toBe('申请已提交（待审批），等待所属单位审批。');
      expect(await horizontalOverflow(a)).toBe(0);
      await a.screenshot({ path: join(ARTIFACTS, `workflow-${size}-1-request.png`), fullPage: true });

      const b = await login(await personContext(browser, viewport), t.url, 'psApprover');
      await menuTo(b, 'approvals', size === 'phone');
      const pending = b.getByTestId('pending-request').filter({ hasText: `${size}：追查` });
      await pending.waitFor({ timeout: 10_000 });
      expect(await pending.locator('h2').textContent()).toBe(`Traffic Police 申请访问：${camera}`);
      expect(await pending.locator('label.pick').allTextContents()).toEqual([camera, '实时视频']);
      await pending.getByTestId('approve').click();
      await expect.poll(() => pending.getByTestId('decision-result').textContent(), { timeout: 10_000 }).toMatch(/^已批准：授权至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}。$/);
      expect(await horizontalOverflow(b)).toBe(0);
      await b.screenshot({ path: join(ARTIFACTS, `workflow-${size}-2-approved.png`), fullPage: true });

      await menuTo(a, 'requests', size === 'phone');
      const mine = a.getByTestId('request-row').filter({ hasText: `${size}：追查` });
      await expect.poll(() => mine.getByTestId('state').textContent(), { timeout: 10_000 }).toBe('已批准');
      expect(await mine.getByTestId('request-cameras').textContent()).toBe(camera);
      const cells = await mine.locator('td').evaluateAll((tds) => tds.map((td) => (td as HTMLElement).dataset.label));
      expect(cells.slice(0, 3)).toEqual(['申请时间', '所属单位', '摄像机']);
      if (size === 'phone') {
        // A table row is a card: the cells stack, each under its column's name, and the header row is hidden.
        expect(await a.locator('table.grid thead').first().isVisible()).toBe(false);
        expect(await mine.evaluate((tr) => getComputedStyle(tr).display)).toBe('block');
      }
      expect(await horizontalOverflow(a)).toBe(0);
      await a.screenshot({ path: join(ARTIFACTS, `workflow-${size}-3-approved-mine.png`), fullPage: true });
      // The approval reached A as a notification, in Chinese.
      await menuTo(a, 'notifications', size === 'phone');
      const approvedNote = a.locator('[data-testid=notification][data-kind="request.approved"]').first();
      await approvedNote.waitFor({ timeout: 10_000 });
      expect(await approvedNote.getByTestId('notification-kind').textContent()).toBe('申请已批准');
      expect(await approvedNote.getByTestId('notification-message').textContent()).toBe('您的申请已批准。');
      await a.screenshot({ path: join(ARTIFACTS, `workflow-${size}-4-notifications.png`), fullPage: true });
      // Nothing on the pages is an internal code or an English sentence of the player's own.
      for (const text of [await visibleText(a), await visibleText(b)]) {
        expect(text).not.toMatch(/\bpending\b|\bapproved\b|\blive\b|\[object|undefined/);
      }
      await a.context().close();
      await b.context().close();
    }, 90_000);
  }

  it('fast menu clicks leave exactly one page on screen and the address of the last click', async () => {
    const page = await login(await personContext(browser), t.url, 'admin');
    // Slow, uneven answers: the pages left behind resolve after the last one, so a late result would show.
    let delayed = 0;
    await page.route('**/api/v1/**', async (route) => {
      delayed++;
      await new Promise((resolve) => setTimeout(resolve, 150 + ((delayed * 137) % 500)));
      await route.continue().catch(() => {});
    });
    const aborted: string[] = [];
    page.on('requestfailed', (request) => { if (request.failure()?.errorText.includes('ABORTED')) aborted.push(request.url()); });
    const sequence = ['dashboard', 'grants', 'audit', 'checkpoint', 'approvals', 'watchlists', 'requests', 'notifications', 'grants', 'audit'];
    for (const id of sequence) await page.getByTestId(`nav-${id}`).click({ noWaitAfter: true, timeout: 5_000 });
    // And a burst within one task, faster than any person.
    await page.evaluate(() => { for (const id of ['requests', 'dashboard', 'approvals', 'audit']) (document.querySelector(`[data-testid=nav-${id}]`) as HTMLElement).click(); });
    await page.waitForFunction(() => document.querySelector('#view [data-testid=audit-table], #view [data-testid=audit-results] p'), null, { timeout: 30_000 });
    await page.waitForTimeout(2_500); // every delayed answer of the abandoned pages has arrived by now
    expect(await page.evaluate(() => location.hash)).toBe('#/audit');
    expect(await page.locator('#view > .page').count()).toBe(1);
    expect(await page.locator('#view').getAttribute('data-page')).toBe('audit');
    expect(await page.locator('#view h1').allTextContents()).toEqual(['审计记录']);
    expect(await page.title()).toBe('审计 · 视频资源共享平台');
    expect(await page.locator('[data-testid=nav-audit][aria-current=page]').count()).toBe(1);
    expect(aborted.length).toBeGreaterThan(0); // the abandoned pages' requests were cancelled, not just ignored
    await page.unroute('**/api/v1/**');
    await page.context().close();
  }, 90_000);

  const PAGES = (plate: string) => ['cameras', 'map', `camera/${gate}`, `live/${gate}`, 'wall/4', `request/${yard}`, 'checkpoint', `trajectory/${encodeURIComponent(plate)}`,
    'watchlists', 'crowd', 'requests', 'approvals', 'grants', 'notifications', 'audit', 'dashboard'];

  for (const [size, viewport] of Object.entries(SIZES)) {
    it(`every page at ${size} size: one page, no sideways scrolling, saved as a screenshot`, async () => {
      const context = await personContext(browser, viewport);
      const login0 = await context.newPage();
      await login0.goto(`${t.url}/player/#/login`);
      await login0.getByTestId('login-form').waitFor();
      await login0.screenshot({ path: join(ARTIFACTS, `${size}-login.png`), fullPage: true });
      await login0.close();
      const page = await login(context, t.url, 'admin');
      const wide: string[] = [];
      // Script errors and catalogue gaps (t() warns "i18n: no message for …") on any page fail the test.
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`error: ${error.message}`));
      page.on('console', (message) => { if (message.text().startsWith('i18n:')) problems.push(message.text()); });
      for (const route of PAGES('京A12345')) {
        await page.goto(`${t.url}/player/#/${route}`);
        const name = route.split('/')[0]!;
        await page.waitForFunction((n) => document.querySelector('#view')?.getAttribute('data-page') === n && document.querySelector('#view > .page')?.children.length, name, { timeout: 15_000 });
        // Not 'networkidle': the console keeps its event streams open (menu badges, alerts), so the network never idles.
        await page.waitForTimeout(name === 'live' || name === 'wall' ? 2_500 : 500);
        expect(await page.locator('[data-testid=page-error]').count(), route).toBe(0);
        const overflow = await horizontalOverflow(page);
        if (overflow > 0) wide.push(`${route}: ${overflow}px`);
        await page.screenshot({ path: join(ARTIFACTS, `${size}-${name}.png`), fullPage: true });
      }
      expect(wide).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    }, 180_000);
  }

  it('switches to English and back; the choice survives a reload', async () => {
    const page = await login(await personContext(browser), t.url, 'psApprover');
    expect(await page.getByTestId('nav-cameras').textContent()).toBe('摄像机');
    await Promise.all([page.waitForEvent('load'), page.getByTestId('language').selectOption('en')]);
    await page.getByTestId('nav-cameras').waitFor();
    expect(await page.getByTestId('nav-cameras').textContent()).toBe('Cameras');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await menuTo(page, 'grants', false);
    await page.getByTestId('grants-owner').waitFor({ timeout: 10_000 });
    expect(await page.locator('h1').first().textContent()).toBe('Grants');
    await page.reload();
    await page.getByTestId('nav-cameras').waitFor();
    expect(await page.getByTestId('nav-cameras').textContent()).toBe('Cameras');
    await Promise.all([page.waitForEvent('load'), page.getByTestId('language').selectOption('zh-CN')]);
    await page.getByTestId('nav-cameras').waitFor();
    expect(await page.getByTestId('nav-cameras').textContent()).toBe('摄像机');
    await page.context().close();
  });

  it('shows times in China time by default (whatever the computer\'s zone) and in the zone the user picks', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'America/New_York' });
    const page = await login(context, t.url, 'psApprover');
    const firstWindowStart = async () => {
      await menuTo(page, 'grants', false);
      const cell = page.getByTestId('grants-owner').getByTestId('grant-row').first().locator('td').nth(4);
      await cell.waitFor({ timeout: 10_000 });
      const text = (await cell.textContent())!;
      return text.slice(0, 19);
    };
    expect(await page.getByTestId('time-zone').inputValue()).toBe('Asia/Shanghai');
    const china = await firstWindowStart();
    const grant = (await t.api('/api/v1/access/grants?side=owner', { user: t.users.psApprover })).body[0];
    const wall = (ms: number, zone: string) => new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
    expect(china).toBe(wall(grant.startsAt, 'Asia/Shanghai'));
    await Promise.all([page.waitForEvent('load'), page.getByTestId('time-zone').selectOption('UTC')]);
    await page.getByTestId('nav-grants').waitFor();
    expect(await firstWindowStart()).toBe(wall(grant.startsAt, 'UTC'));
    await context.close();
  });
});

