import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordedFrame } from '../../api/evidence/still-export.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from '../player/browser-session.ts';
import { grantToTraffic, until } from '../relay/relay-fixtures.ts';
import { startRecordingHub, type RecordingHub } from './playback-fixtures.ts';

const W = 64;
const H = 36;

/** The recording's own frame at wall time `at` (decoded by ffmpeg from the segment file, as a still export does), small and grey. */
async function recordedPixels(h: RecordingHub, at: number, cameraId = h.cameraId): Promise<Buffer> {
  const jpeg = await recordedFrame(h.index, join(h.t.hub.ctx.dataDir, 'recordings'), cameraId, at, { ffmpegPath: 'ffmpeg', timeoutMs: 20_000 });
  return sharp(jpeg).resize(W, H, { fit: 'fill' }).greyscale().raw().toBuffer();
}

/**
 * What the <video> shows now, drawn to a canvas, small and grey (same scaling as recordedPixels). A canvas
 * left fully transparent means no frame was there to draw yet (a loaded renderer paints late): draw again.
 */
async function shownPixels(page: Page, cameraId: string): Promise<Buffer> {
  const video = page.locator(`[data-testid="playback-video"][data-camera-id="${cameraId}"]`);
  const png = await until(`a frame of ${cameraId} drawn`, () => video.evaluate(async (v) => {
    const element = v as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = element.videoWidth;
    canvas.height = element.videoHeight;
    if (!canvas.width || !canvas.height) return undefined;
    const context = canvas.getContext('2d')!;
    context.drawImage(element, 0, 0);
    const alpha = context.getImageData(0, 0, canvas.width, canvas.height).data.some((value, i) => i % 4 === 3 && value > 0);
    return alpha ? canvas.toDataURL('image/png') : undefined;
  }), 10_000, 200);
  return sharp(Buffer.from(png.split(',')[1]!, 'base64')).resize(W, H, { fit: 'fill' }).greyscale().raw().toBuffer();
}

const meanDiff = (a: Buffer, b: Buffer) => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]!), 0) / a.length;

describe('playback in headless Chromium', () => {
  let h: RecordingHub;
  let browser: BrowserContext;
  let userDataDir: string;
  // Pages hold event streams and HLS loads; Chromium allows 6 connections per host, so a page a failed
  // test left open would starve the next test's page.
  const opened: Page[] = [];
  const openAs = async (username: string) => {
    const page = await browser.newPage();
    opened.push(page);
    return loginOnPage(page, h.t.url, username);
  };

  beforeAll(async () => {
    h = await startRecordingHub('sqlite', {}, 4);
    await h.segments(7, 120_000);
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  }, 240_000);
  afterEach(async () => {
    for (const page of opened.splice(0)) await page.close().catch(() => {});
  });
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await h?.stop();
  });

  it('from a pass ("play from here") four cameras play in sync; the picture at a known time is the recording\'s frame then; speed, a frame step of the recording\'s own rate, export', async () => {
    const cameraIds = h.cameraIds;
    expect(cameraIds).toHaveLength(4);
    const [first] = cameraIds as [string];
    const segments = await h.index.segmentsBetween(first, 0, Date.now());
    const passedAt = segments[4]!.startedAt + 700;
    const ingest = await h.t.api('/api/v1/checkpoint/passes', { user: h.t.users.admin, body: { records: [{ id: 'browser-pass-1', cameraId: first, passedAt, plate: '京PB0002', plateColour: 'blue', plateConfidence: 0.97, charConfidences: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9] }] } });
    expect(ingest.status).toBe(200);
    const page = await openAs('psViewer');
    await page.goto(`${h.t.url}/player/#/checkpoint`);
    const row = page.locator('[data-testid="pass-row"][data-pass-id="browser-pass-1"]');
    await row.getByTestId('play-from-here').click({ timeout: 20_000 });
    await page.getByTestId('playback-form').waitFor();
    expect(await page.locator(`[data-testid="playback-camera"][value="${first}"]`).isChecked()).toBe(true);
    for (const other of cameraIds.slice(1)) await page.locator(`[data-testid="playback-camera"][value="${other}"]`).check();
    await page.getByTestId('playback-reason').fill('案件 2026-118 回看');
    await page.getByTestId('playback-open').click();
    const videos = page.getByTestId('playback-video');
    for (const cameraId of cameraIds) {
      const video = page.locator(`[data-testid="playback-video"][data-camera-id="${cameraId}"]`);
      await until(`video ${cameraId} playing`, () => video.evaluate((v) => (v as HTMLVideoElement).readyState >= 3 && (v as HTMLVideoElement).currentTime > 0), 60_000);
    }
    expect(await page.getByTestId('timeline').count()).toBe(4);
    expect(await page.getByTestId('timeline-pass').count()).toBe(1);
    await page.waitForTimeout(1_500); // let the sync settle

    await page.getByTestId('playback-pause').click();
    await until('no seek in flight', () => videos.evaluateAll((vs) => vs.every((v) => !(v as HTMLVideoElement).seeking && (v as HTMLVideoElement).readyState >= 2)), 10_000);
    await page.waitForTimeout(1_200); // sync ticks stamp the shown wall time on each video
    await until('no seek in flight', () => videos.evaluateAll((vs) => vs.every((v) => !(v as HTMLVideoElement).seeking)), 10_000);
    const walls = await videos.evaluateAll((vs) => vs.map((v) => Number((v as HTMLVideoElement).dataset.wall)));
    expect(Math.abs(walls[0]! - (passedAt - 5_000))).toBeLessThan(8_000);
    // All four show the same wall-clock time.
    expect(Math.max(...walls) - Math.min(...walls)).toBeLessThan(600);
    for (const [i, cameraId] of cameraIds.entries()) {
      const shown = await shownPixels(page, cameraId);
      const same = meanDiff(shown, await recordedPixels(h, walls[i]!, cameraId));
      // A frame 3 s away shows another scene of the clip: the comparison can tell the difference.
      const last = (await h.index.segmentsBetween(cameraId, 0, Date.now())).at(-1)!.endedAt;
      const other = meanDiff(shown, await recordedPixels(h, walls[i]! + (walls[i]! + 3_000 < last ? 3_000 : -3_000), cameraId));
      expect(same, `camera ${i + 1} at ${new Date(walls[i]!).toISOString()}: shown mean ${(shown.reduce((a, b) => a + b, 0) / shown.length).toFixed(0)}`).toBeLessThan(12);
      expect(other, `camera ${i + 1}`).toBeGreaterThan(same + 8);
    }

    // A frame step moves every tile by one frame of its recording: the simulator's clip is 15 fps, which the
    // hub read from the segments' time stamps (not the fixed 1/25 s the player once assumed).
    expect(await videos.evaluateAll((vs) => vs.map((v) => (v as HTMLVideoElement).dataset.frameRate))).toEqual(['15', '15', '15', '15']);
    const times = () => videos.evaluateAll((vs) => vs.map((v) => (v as HTMLVideoElement).currentTime));
    const before = await times();
    await page.getByTestId('step-forward').click();
    const after = await until('one frame on, every tile', async () => {
      const now = await times();
      return now.every((time, i) => time > before[i]!) ? now : undefined;
    });
    for (const [i, time] of after.entries()) expect(Math.abs(time - before[i]! - 1 / 15), `tile ${i + 1}`).toBeLessThan(0.005);
    await page.getByTestId('step-back').click();
    await until('one frame back, every tile', async () => (await times()).every((time, i) => Math.abs(time - before[i]!) < 0.005));
    await page.getByTestId('speed-4').click();
    expect(await videos.evaluateAll((vs) => vs.map((v) => (v as HTMLVideoElement).playbackRate))).toEqual([4, 4, 4, 4]);

    await page.getByTestId('export-clip').click();
    const job = page.getByTestId('export-job').first();
    await until('export done in the list', async () => (await job.getAttribute('data-state')) === 'done', 60_000, 250);
    await expect.poll(() => page.getByTestId('export-sha256').first().textContent()).toMatch(/[0-9a-f]{64}/);
    const audit = await h.t.hub.ctx.db.selectFrom('audit_events').select(['action', 'reason']).where('action', 'in', ['playback.start', 'evidence.export']).execute();
    expect(audit.filter((a) => a.reason === '案件 2026-118 回看').map((a) => a.action).sort()).toEqual(['evidence.export', 'playback.start', 'playback.start', 'playback.start', 'playback.start']);
  }, 240_000);

  it('the access request form asks for the playback scope and how far back', async () => {
    const page = await openAs('trafficViewer');
    await page.goto(`${h.t.url}/player/#/request/${h.cameraId}`);
    // (closed before the approver's page opens: Chromium allows 6 connections per host and pages hold event streams)
    await page.getByTestId('request-form').waitFor();
    expect(await page.getByTestId('playback-lookback-field').isHidden()).toBe(true);
    await page.getByTestId('scope-playback').check();
    await page.getByTestId('playback-lookback').selectOption('days');
    await page.getByTestId('playback-days').fill('3');
    await page.getByTestId('purpose').fill('追查肇事车辆 case 2026-9');
    await page.getByTestId('legal-basis').fill('Road Traffic Safety Law art. 72');
    await page.getByTestId('send-request').click();
    await expect.poll(() => page.getByTestId('request-result').getAttribute('data-state')).toBe('sent');
    const row = await h.t.hub.ctx.db.selectFrom('access_requests').select(['scopes', 'playback_lookback', 'playback_days']).where('requester_department_id', '=', h.t.departments.traffic).executeTakeFirstOrThrow();
    expect([JSON.parse(row.scopes), row.playback_lookback, Number(row.playback_days)]).toEqual([['live', 'playback'], 'days', 3]);

    await page.close();
    // The owner's approver narrows it to the grant's own window.
    const approver = await openAs('psApprover');
    await approver.goto(`${h.t.url}/player/#/approvals`);
    const pending = approver.getByTestId('pending-request').first();
    await pending.waitFor({ timeout: 10_000 });
    expect(await pending.textContent()).toContain('录像回放 (3 d)');
    await pending.getByTestId('approve-lookback').selectOption('window');
    await pending.getByTestId('approve').click();
    await expect.poll(() => pending.getByTestId('decision-result').textContent(), { timeout: 10_000 }).toContain('已批准');
    const grant = await h.t.hub.ctx.db.selectFrom('grants').select(['playback_lookback', 'playback_days', 'revoked_at']).where('grantee_department_id', '=', h.t.departments.traffic).where('request_id', 'is not', null).executeTakeFirstOrThrow();
    expect([grant.playback_lookback, grant.playback_days]).toEqual(['window', null]);
    await approver.close();
  }, 60_000);

  it('revoking the grant stops a running playback in the page at once, buffered video included', async () => {
    const grant = await grantToTraffic(h.t, [h.cameraId], ['playback']);
    const segments = await h.index.segmentsBetween(h.cameraId, 0, Date.now());
    const page = await openAs('trafficViewer');
    await page.goto(`${h.t.url}/player/#/playback?ids=${h.cameraId}&at=${segments[1]!.startedAt}`);
    await page.getByTestId('playback-reason').fill('traffic case 2026-31');
    await page.getByTestId('playback-open').click();
    const video = page.getByTestId('playback-video');
    await until('video playing', () => video.evaluate((v) => (v as HTMLVideoElement).readyState >= 3 && (v as HTMLVideoElement).currentTime > 0), 30_000);
    const revoked = await h.t.api(`/api/v1/access/grants/${grant}/revoke`, { user: h.t.users.psApprover, body: { reason: 'case closed' } });
    expect(revoked.status).toBe(200);
    await page.locator(`.playback-tile[data-camera-id="${h.cameraId}"][data-ended="true"]`).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('playback-status').textContent()).toContain('授权已被撤销');
    const t0 = await video.evaluate((v) => (v as HTMLVideoElement).currentTime);
    await page.waitForTimeout(1_000);
    expect(await video.evaluate((v) => (v as HTMLVideoElement).currentTime)).toBe(t0);
    await page.close();
  }, 60_000);
});
