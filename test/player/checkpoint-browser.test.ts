import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';
import { addCamera, pass } from '../checkpoint/checkpoint-fixtures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, login, personContext } from './browser-session.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'checkpoint');
const HOUR = 3_600_000;
const WANTED = '京A12345';
const WATCHED = '京C77777';
const CLONED = '京E55555';
const FILLERS = 55;

const plates = (page: Page) => page.getByTestId('pass-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.plate));

describeEachDatabase('traffic control pages in headless Chromium', (kind) => {
  let t: TestHub;
  let browser: Browser;
  const cameras: Record<'north' | 'ring' | 'east' | 'far', string> = { north: '', ring: '', east: '', far: '' };
  const base = Date.now() - HOUR;

  /** Passes go in through the hub's own ingest route, as the analytics pipeline or a checkpoint system sends them. */
  const ingest = async (records: PassRecordInput[]) => {
    const result = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records } });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.inserted).toBe(records.length);
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestHub(kind);
    const traffic = t.departments.traffic;
    cameras.north = await addCamera(t, traffic, { name: 'North gate', lat: 39.9, lon: 116.4 });
    cameras.ring = await addCamera(t, traffic, { name: 'Ring road', lat: 39.95, lon: 116.45 });
    cameras.east = await addCamera(t, traffic, { name: 'East bridge', lat: 39.92, lon: 116.5 });
    cameras.far = await addCamera(t, traffic, { name: 'Coast toll', lat: 31.23, lon: 121.47 });
    // Real plate crops from media/, stored where the pipeline puts pass images.
    const crops = join(t.hub.ctx.dataDir, 'images', 'browser-test');
    mkdirSync(crops, { recursive: true });
    for (const i of [0, 1, 2]) copyFileSync(join(process.cwd(), 'media', 'plates', `aligned_crop_${i}.jpg`), join(crops, `crop-${i}.jpg`));
    await ingest([
      pass(cameras.north, WANTED, base - 3 * HOUR, { cropImagePath: 'browser-test/crop-0.jpg' }),
      pass(cameras.ring, WANTED, base - 2 * HOUR, { cropImagePath: 'browser-test/crop-1.jpg' }),
      pass(cameras.east, WANTED, base - HOUR, { cropImagePath: 'browser-test/crop-2.jpg' }),
      pass(cameras.north, '京B67890', base - HOUR, { plateColour: 'yellow' }),
      // ~1,000 km in ten minutes: a cloned plate.
      pass(cameras.north, CLONED, base - 30 * 60_000),
      pass(cameras.far, CLONED, base - 20 * 60_000),
      ...Array.from({ length: FILLERS }, (_, i) => pass(cameras.ring, `京F${String(i).padStart(5, '0')}`, base - 5 * HOUR - i * 60_000)),
    ]);
    // launch() runs Chromium on a fresh temporary profile, removed on close.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${kind}-${name}.png`), fullPage: true });

  it('search exact and fuzzy, page, export, trajectory; watchlist → live alert → acknowledge; cloned-plate evidence', async () => {
    const a = await login(await personContext(browser), t.url, 'trafficApprover');

    // Everything, newest first, 50 at a time.
    await a.getByTestId('nav-checkpoint').click();
    await a.getByTestId('cp-table').waitFor({ timeout: 10_000 });
    expect(await a.getByTestId('pass-row').count()).toBe(50);
    await a.getByTestId('cp-more').click();
    await expect.poll(() => a.getByTestId('pass-row').count(), { timeout: 10_000 }).toBe(FILLERS + 6);
    expect(await a.getByTestId('cp-more').isHidden()).toBe(true);

    // Exact plate: its three passes, with crops loaded through the API.
    // The province comes from the picker, the rest is typed.
    await a.getByTestId('province-picker').selectOption('京');
    expect(await a.getByTestId('cp-plate').inputValue()).toBe('京');
    await a.getByTestId('cp-plate').fill(`${(await a.getByTestId('cp-plate').inputValue())}${WANTED.slice(1)}`);
    expect(await a.getByTestId('cp-plate').inputValue()).toBe(WANTED);
    await a.getByTestId('cp-search-button').click();
    await expect.poll(() => plates(a), { timeout: 10_000 }).toEqual([WANTED, WANTED, WANTED]);
    const crops = a.locator('img[data-testid=pass-crop]');
    await expect.poll(() => a.locator('img[data-testid=pass-crop][data-loaded=true]').count(), { timeout: 10_000 }).toBe(3);
    expect(await crops.evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth > 0))).toEqual([true, true, true]);
    expect(await crops.first().getAttribute('src')).toMatch(/^blob:/);
    expect(await a.getByTestId('pass-row').first().textContent()).toContain('East bridge');
    await shot(a, '1-exact-search');

    // Wildcards, and the plate-colour filter.
    await a.getByTestId('cp-mode').selectOption('wildcard');
    await a.getByTestId('cp-plate').fill('京?6*');
    await a.getByTestId('cp-search-button').click();
    await expect.poll(() => plates(a), { timeout: 10_000 }).toEqual(['京B67890']);
    await a.getByTestId('cp-plate').fill('');
    await a.getByTestId('cp-colour').selectOption('yellow');
    await a.getByTestId('cp-search-button').click();
    await expect.poll(() => a.getByTestId('cp-result-line').textContent(), { timeout: 10_000 }).toBe('显示 1 条过车记录。');
    expect(await plates(a)).toEqual(['京B67890']);
    await a.getByTestId('cp-colour').selectOption('');

    // Fuzzy: the plate as OCR misreads it (I for 1, S for 5) finds the right passes and nothing else.
    await a.getByTestId('cp-mode').selectOption('fuzzy');
    await a.getByTestId('cp-plate').fill('京AI234S');
    await a.getByTestId('cp-search-button').click();
    await expect.poll(() => a.getByTestId('match-distance').count(), { timeout: 10_000 }).toBe(3);
    expect(await plates(a)).toEqual([WANTED, WANTED, WANTED]);
    expect(await a.getByTestId('match-distance').first().getAttribute('data-distance')).toBe('0');
    expect(await a.getByTestId('match-distance').first().textContent()).toBe('同一车牌');

    // CSV export of the same filters, downloaded with the bearer header.
    const [download] = await Promise.all([a.waitForEvent('download', { timeout: 10_000 }), a.getByTestId('cp-export').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n').filter((line) => line.includes(WANTED))).toHaveLength(3);
    // China time and camera names first; the ids stay in later columns.
    expect(csv.split('\r\n').find((line) => line.includes(WANTED))).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},京A12345,.*,(North gate|Ring road|East bridge),/);
    expect(csv).not.toContain('京B67890');

    // The plate's trajectory: passes in time order with camera names, plotted by place.
    await a.getByTestId('trajectory-link').first().click();
    await a.getByTestId('trajectory-table').waitFor({ timeout: 10_000 });
    expect(await a.getByTestId('trajectory-camera').allTextContents()).toEqual(['North gate', 'Ring road', 'East bridge']);
    expect(await a.getByTestId('trajectory-point').count()).toBe(3);
    expect(await a.locator('svg.trajectory-plot polyline').count()).toBe(1);
    await shot(a, '2-trajectory');
    // Back: the fuzzy search is still there (kept in the address).
    await a.getByRole('button', { name: '返回' }).click();
    await a.getByTestId('cp-table').waitFor({ timeout: 10_000 });
    expect(await a.getByTestId('cp-plate').inputValue()).toBe('京AI234S');
    expect(await a.getByTestId('cp-mode').inputValue()).toBe('fuzzy');

    // Watchlist: put a plate on it, then a matching pass arrives and the alert shows up live.
    await a.getByTestId('nav-watchlists').click();
    await expect.poll(() => a.getByTestId('alert-stream-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
    expect(await a.getByTestId('alert-stream-state').textContent()).toBe('实时');
    await a.getByTestId('watch-plate').fill(WATCHED);
    await a.getByTestId('watch-reason').fill('Stolen vehicle, case 2026-118');
    await a.getByTestId('watch-add').click();
    const entry = a.locator(`[data-testid=watchlist-row][data-plate="${WATCHED}"]`);
    await entry.waitFor({ timeout: 10_000 });
    expect(await entry.getByTestId('state').textContent()).toBe('生效中');
    expect(await a.locator('[data-testid=alert-row]').count()).toBe(0);

    await ingest([pass(cameras.ring, WATCHED, Date.now())]);
    const alert = a.locator(`[data-testid=alert-row][data-plate="${WATCHED}"]`);
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toContain('Ring road');
    expect(await alert.textContent()).toContain('Stolen vehicle');
    expect(await alert.getByTestId('alert-state').textContent()).toBe('未处理');
    await alert.getByTestId('ack-note').fill('Unit 12 dispatched');
    await alert.getByTestId('ack').click();
    await expect.poll(() => alert.getByTestId('alert-state').textContent(), { timeout: 10_000 }).toBe('已确认');
    const stored = await t.api('/api/v1/checkpoint/alerts', { user: t.users.trafficViewer });
    expect(stored.body).toHaveLength(1);
    expect(stored.body[0]).toMatchObject({ plate: WATCHED, acknowledgedBy: t.users.trafficApprover.id, ackNote: 'Unit 12 dispatched' });

    // Cloned-plate finding with both passes as evidence.
    const finding = a.locator(`[data-testid=finding-row][data-plate="${CLONED}"]`);
    expect(await finding.getAttribute('data-kind')).toBe('impossible_speed');
    expect(await finding.getByTestId('finding-pass').count()).toBe(2);
    expect(await finding.textContent()).toContain('Coast toll');
    await shot(a, '3-watchlists-alerts');

    // Taking the plate off the watchlist keeps it as history.
    await entry.getByTestId('watch-remove').click();
    await a.getByTestId('watchlist-empty').waitFor({ timeout: 10_000 });
    await a.getByTestId('watchlist-show-removed').check();
    await expect.poll(() => entry.getByTestId('state').getAttribute('data-state'), { timeout: 10_000 }).toBe('removed');
    expect(await entry.getByTestId('state').textContent()).toBe('已移除');
    await a.context().close();
  });

  it('menus follow the API: viewers read and acknowledge but cannot edit watchlists; auditors see no traffic pages', async () => {
    const viewer = await login(await personContext(browser), t.url, 'trafficViewer');
    await viewer.getByTestId('nav-watchlists').click();
    await viewer.getByTestId('alerts').waitFor({ timeout: 10_000 });
    expect(await viewer.getByTestId('watch-form').count()).toBe(0);
    expect(await viewer.getByTestId('nav-checkpoint').count()).toBe(1);
    await viewer.context().close();

    const auditor = await login(await personContext(browser), t.url, 'auditor');
    expect(await auditor.getByTestId('nav-checkpoint').count()).toBe(0);
    expect(await auditor.getByTestId('nav-watchlists').count()).toBe(0);
    // And the API agrees: the menu only mirrors it.
    expect((await t.api('/api/v1/checkpoint/passes', { user: t.users.auditor })).status).toBe(403);
    await auditor.context().close();
  });
});
