import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedFrame } from '../../api/evidence/still-export.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from '../player/browser-session.ts';
import { until } from '../relay/relay-fixtures.ts';
import { startRecordingHub, type RecordingHub } from './playback-fixtures.ts';

const W = 64;
const H = 36;

/** The recording's own frame at wall time `at` (decoded by ffmpeg from the segment file, as a still export does), small and grey. */
async function recordedPixels(h: RecordingHub, at: number): Promise<Buffer> {
  const jpeg = await recordedFrame(h.index, join(h.t.hub.ctx.dataDir, 'recordings'), h.cameraId, at, { ffmpegPath: 'ffmpeg', timeoutMs: 20_000 });
  return sharp(jpeg).resize(W, H, { fit: 'fill' }).greyscale().raw().toBuffer();
}

/** What the <video> shows now, drawn to a canvas, small and grey (same scaling as recordedPixels). */
async function shownPixels(page: Page): Promise<Buffer> {
  const png = await page.getByTestId('playback-video').evaluate(async (v) => {
    const video = v as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    return canvas.toDataURL('image/png');
  });
  return sharp(Buffer.from(png.split(',')[1]!, 'base64')).resize(W, H, { fit: 'fill' }).greyscale().raw().toBuffer();
}

const meanDiff = (a: Buffer, b: Buffer) => a.reduce((sum, value, i) => sum + Math.abs(value - b[i]!), 0) / a.length;

describe('playback in headless Chromium', () => {
  let h: RecordingHub;
  let browser: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    h = await startRecordingHub('sqlite');
    await h.segments(6, 90_000);
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await h?.stop();
  });

  it('plays from a chosen time: the picture at a known time is the recording\'s frame at that time; speed, frame step, export with progress', async () => {
    const segments = await h.index.segmentsBetween(h.cameraId, 0, Date.now());
    const at = segments[2]!.startedAt + 700;
    const page = await loginOnPage(await browser.newPage(), h.t.url, 'psViewer');
    await page.goto(`${h.t.url}/player/#/playback?ids=${h.cameraId}&at=${at}`);
    await page.getByTestId('playback-reason').fill('案件 2026-118 回看');
    await page.getByTestId('playback-open').click();
    const video = page.getByTestId('playback-video');
    await until('video playing', () => video.evaluate((v) => (v as HTMLVideoElement).readyState >= 3 && (v as HTMLVideoElement).currentTime > 0), 30_000);
    await page.getByTestId('timeline-cursor').waitFor();
    expect(await page.getByTestId('timeline').locator('.timeline-span').count()).toBeGreaterThanOrEqual(1);

    await page.getByTestId('playback-pause').click();
    await page.waitForTimeout(800); // one sync tick stamps the shown wall time on the video
    const shownAt = Number(await video.getAttribute('data-wall'));
    expect(Math.abs(shownAt - at)).toBeLessThan(2_500);
    const shown = await shownPixels(page);
    const same = meanDiff(shown, await recordedPixels(h, shownAt));
    // A frame 3 s away shows another scene of the clip: the comparison can tell the difference.
    const other = meanDiff(shown, await recordedPixels(h, shownAt + (shownAt + 3_000 < segments.at(-1)!.endedAt ? 3_000 : -3_000)));
    expect(same).toBeLessThan(12);
    expect(other).toBeGreaterThan(same + 8);

    const before = await video.evaluate((v) => (v as HTMLVideoElement).currentTime);
    await page.getByTestId('step-forward').click();
    await until('one frame on', async () => (await video.evaluate((v) => (v as HTMLVideoElement).currentTime)) > before);
    expect((await video.evaluate((v) => (v as HTMLVideoElement).currentTime)) - before).toBeLessThan(0.1);
    await page.getByTestId('speed-4').click();
    expect(await video.evaluate((v) => (v as HTMLVideoElement).playbackRate)).toBe(4);

    await page.getByTestId('export-clip').click();
    const job = page.getByTestId('export-job').first();
    await until('export done in the list', async () => (await job.getAttribute('data-state')) === 'done', 60_000, 250);
    await expect.poll(() => page.getByTestId('export-sha256').first().textContent()).toMatch(/[0-9a-f]{64}/);
    const audit = await h.t.hub.ctx.db.selectFrom('audit_events').select(['action', 'reason']).where('action', 'in', ['playback.start', 'evidence.export']).execute();
    expect(audit.filter((a) => a.reason === '案件 2026-118 回看').map((a) => a.action).sort()).toEqual(['evidence.export', 'playback.start']);
  }, 120_000);
});
