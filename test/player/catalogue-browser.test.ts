import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addGrant } from '../checkpoint/checkpoint-fixtures.ts';
import { startSimCameras, until } from '../relay/relay-fixtures.ts';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { seedCatalogue, type SeededCamera } from '../catalogue/catalogue-fixtures.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from './browser-session.ts';
import { horizontalOverflow } from './console-pages.ts';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'catalogue');
const SIZES = { desktop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } } as const;
const JPEG = readFileSync(join(import.meta.dirname, '../../media/scenes/street_dog_bicycle_car.jpg'));

/**
 * The catalogue for thousands of cameras in Chromium: server-side search and paging over 520 rows, thumbnails
 * for cameras the user may take stills of (and none otherwise), the camera page, and one access request per
 * owner department for cameras picked across pages.
 */
describe('camera catalogue in headless Chromium', () => {
  let t: TestHub;
  let browser: Browser;
  let server: Server;
  let rtsp: RtspServerHandle;
  let bund: string;
  let seeded: SeededCamera[];

  const open = async (size: keyof typeof SIZES, username: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: SIZES[size] });
    await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    const page = await context.newPage();
    await loginOnPage(page, t.url, username);
    return page;
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(JPEG));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    rtsp = await startSimCameras(['/bund']);
    t = await startTestHub('sqlite', { overrides: { ingest: { healthIntervalMs: 2_000 } } });
    seeded = await seedCatalogue(t, 520);
    const created = await t.api('/api/v1/cameras', {
      user: t.users.psApprover,
      body: {
        name: '外滩北口', departmentId: t.departments.ps, category: 'public_security', streamUrl: rtsp.urlFor('/bund'), lat: 31.2405, lon: 121.4903, address: '上海市黄浦区中山东一路',
        snapshotUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/snap.jpg`,
      },
    });
    bund = created.body.id;
    // The catalogue asks for thumbnails of online cameras only.
    await until('the bund camera online', async () => (await t.api(`/api/v1/cameras/${bund}`, { user: t.users.admin })).body.status === 'online', 60_000, 500);
    await addGrant(t, t.departments.ps, t.departments.traffic, [bund], ['live', 'snapshot']);
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    await rtsp?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  for (const size of ['desktop', 'phone'] as const) {
    it(`${size}: searches and pages 520 cameras on the server, with thumbnails only where allowed, and shows a camera's page`, async () => {
      const page = await open(size, 'trafficViewer');
      await page.goto(`${t.url}/player/#/cameras`);
      await page.getByTestId('camera').first().waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('camera').count()).toBe(50);
      expect(await page.getByTestId('page-of').textContent()).toContain('11');
      await page.getByTestId('page-next').click();
      await page.waitForFunction(() => location.hash.includes('page=2'));
      await page.locator('[data-testid=camera] [data-testid=camera-link]', { hasText: 'Grid 0099' }).waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, `${size}-catalogue.png`) });

      await page.getByTestId('camera-search').fill('外滩');
      await page.getByTestId('camera-search').press('Enter');
      const row = page.locator(`[data-testid=camera][data-camera-id="${bund}"]`);
      await row.waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('camera').count()).toBe(1);
      await row.locator('img.thumb.loaded, img.thumb.failed').waitFor({ timeout: 20_000 });
      expect(await row.locator('img.thumb').getAttribute('data-error')).toBeNull();
      expect(await row.locator('img.thumb').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
      await page.screenshot({ path: join(ARTIFACTS, `${size}-catalogue-search.png`) });

      // The map's "list this view": the area as the search's box, cleared with one click.
      const area = { minLat: 31.2035, maxLat: 31.2125, minLon: 121.4455, maxLon: 121.4605 };
      const inArea = seeded.filter((c) => c.lat >= area.minLat && c.lat <= area.maxLat && c.lon >= area.minLon && c.lon <= area.maxLon);
      await page.goto(`${t.url}/player/#/cameras?${new URLSearchParams(Object.entries(area).map(([k, v]) => [k, String(v)]))}`);
      await page.getByTestId('clear-area').waitFor();
      await page.getByTestId('camera').first().waitFor();
      expect(await page.getByTestId('camera').count()).toBe(inArea.length);
      expect(await page.getByTestId('catalogue-summary').textContent()).toContain(String(inArea.length));
      await page.getByTestId('clear-area').click();
      await page.waitForFunction(() => !location.hash.includes('minLat'));
      await page.getByTestId('page-next').waitFor();

      // Another department's camera without a grant: no thumbnail is even asked for.
      await page.goto(`${t.url}/player/#/cameras?q=${encodeURIComponent('Grid 0003')}`);
      const other = page.locator('[data-testid=camera][data-camera-id="grid-00003"]');
      await other.waitFor();
      expect(await other.locator('img.thumb').getAttribute('class')).toContain('none');

      await page.goto(`${t.url}/player/#/camera/${bund}`);
      await page.getByTestId('detail-name').waitFor();
      expect(await page.getByTestId('detail-owner').textContent()).toBe('Public Security Bureau');
      expect(await page.getByTestId('detail-location').textContent()).toBe('31.24050, 121.49030');
      await page.locator('[data-testid=access-grant]', { hasText: 'Traffic Police' }).waitFor();
      await page.locator('.detail-map .cam-marker').waitFor({ timeout: 15_000 });
      await until('the detail thumbnail', () => page.getByTestId('detail-thumbnail').evaluate((img: HTMLImageElement) => img.naturalWidth > 0), 20_000, 250);
      expect(await horizontalOverflow(page)).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, `${size}-camera-detail.png`), fullPage: true });
      await page.context().close();
    }, 120_000);
  }

  it('asks each owner department once for the cameras picked across pages', async () => {
    const page = await open('desktop', 'trafficViewer');
    await page.goto(`${t.url}/player/#/cameras?departmentId=${t.departments.ps}`);
    await page.getByTestId('camera').first().waitFor({ timeout: 15_000 });
    const firstPage = page.getByTestId('camera').filter({ hasNot: page.getByTestId('watch') });
    await firstPage.nth(0).getByTestId('pick').check();
    await firstPage.nth(1).getByTestId('pick').check();
    await page.goto(`${t.url}/player/#/cameras?departmentId=${t.departments.community}`);
    await page.locator('[data-testid=camera][data-camera-id="grid-00002"]').waitFor();
    await page.locator('[data-testid=camera][data-camera-id="grid-00002"]').getByTestId('pick').check();
    expect(await page.getByTestId('selection-bar').getAttribute('data-selected')).toBe('3');
    await page.getByTestId('request-selected').click();
    const form = page.getByTestId('request-form');
    await form.waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('request-targets').locator('li').count()).toBe(2);
    await page.getByTestId('purpose').fill('春节安保期间的联合巡查');
    await page.getByTestId('legal-basis').fill('《人民警察法》第六条');
    await page.screenshot({ path: join(ARTIFACTS, 'desktop-request-selected.png') });
    await page.getByTestId('send-request').click();
    await until('two requests sent', async () => (await page.getByTestId('request-sent').count()) === 2, 10_000, 200);
    const rows = await t.hub.ctx.db.selectFrom('access_requests').selectAll().where('requester_department_id', '=', t.departments.traffic).execute();
    const byOwner = Object.fromEntries(rows.map((r) => [r.owner_department_id, { kind: r.target_kind, ids: JSON.parse(r.camera_ids ?? '[]') as string[] }]));
    expect(byOwner[t.departments.ps]?.kind).toBe('cameras');
    expect(byOwner[t.departments.ps]?.ids).toHaveLength(2);
    expect(byOwner[t.departments.community]).toEqual({ kind: 'cameras', ids: ['grid-00002'] });
    await page.context().close();
  }, 90_000);
});
