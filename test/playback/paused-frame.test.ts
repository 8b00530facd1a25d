import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedFrame } from '../../api/evidence/still-export.ts';
import { CLOCK_FRAME, decodeClockTime } from '../../devtools/sim/clock-stripe.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from '../player/browser-session.ts';
import { until } from '../relay/relay-fixtures.ts';
import { startRecordingHub, type RecordingHub } from './playback-fixtures.ts';

const FRAME_MS = 1_000 / CLOCK_FRAME.fps;

/** The source clock drawn into a picture (the simulator's clock mode: every frame carries the time it was made). */
async function clockIn(image: Buffer, reference: number): Promise<number | undefined> {
  const { data, info } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
  return decodeClockTime(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height, reference);
}

/** The picture a tile shows now and the wall time its clock says it shows. */
async function shownNow(video: Locator): Promise<{ png: Buffer; wall: number }> {
  const shown = await video.evaluate((v) => {
    const element = v as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = element.videoWidth;
    canvas.height = element.videoHeight;
    canvas.getContext('2d')!.drawImage(element, 0, 0);
    return { png: canvas.toDataURL('image/png'), wall: Number(element.dataset.wall) };
  });
  return { png: Buffer.from(shown.png.split(',')[1]!, 'base64'), wall: shown.wall };
}

// CI saw the four-camera playback test compare a paused tile with the frame after it. While playing, Chromium
// paints the frame nearest each screen refresh, so a tile paused mid-play kept a frame one before or after
// its position (9 of 24 pauses here, under load): what the officer saw was not the frame of the time on the
// clock, nor the still exported at it. Every frame of the clock source is different, so one frame off shows.
describe('playback paused mid-play in headless Chromium (simulator clock mode)', () => {
  let h: RecordingHub;
  let browser: BrowserContext;
  let userDataDir: string;

  beforeAll(async () => {
    h = await startRecordingHub('sqlite', {}, 2, 'clock');
    await h.segments(8, 120_000);
    userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await h?.stop();
  });

  it('each tile shows the frame of the time on its clock, which is the frame a still exported then holds', async () => {
    const segments = await h.index.segmentsBetween(h.cameraId, 0, Date.now());
    const page = await loginOnPage(await browser.newPage(), h.t.url, 'psViewer');
    await page.goto(`${h.t.url}/player/#/playback?ids=${h.cameraIds.join(',')}&at=${segments[1]!.startedAt}`);
    await page.getByTestId('playback-reason').fill('案件 2026-140 逐帧核对');
    await page.getByTestId('playback-open').click();
    const videos = page.getByTestId('playback-video');
    await until('both tiles playing', () => videos.evaluateAll((vs) => vs.length === 2 && vs.every((v) => (v as HTMLVideoElement).readyState >= 3 && (v as HTMLVideoElement).currentTime > 0)), 60_000);
    const offBy: string[] = [];
    for (let round = 0; round < 8; round++) {
      await page.getByTestId('playback-play').click();
      // Pauses land anywhere within a frame.
      await page.waitForTimeout(600 + round * 53);
      await page.getByTestId('playback-pause').click();
      await until('no seek in flight', () => videos.evaluateAll((vs) => vs.every((v) => !(v as HTMLVideoElement).seeking && (v as HTMLVideoElement).readyState >= 2)), 10_000);
      await page.waitForTimeout(700); // a sync tick stamps each tile's wall time
      for (const cameraId of h.cameraIds) {
        const { png, wall } = await shownNow(page.locator(`[data-testid="playback-video"][data-camera-id="${cameraId}"]`));
        const shown = await clockIn(png, wall);
        const still = await clockIn(await recordedFrame(h.index, join(h.t.hub.ctx.dataDir, 'recordings'), cameraId, wall, { ffmpegPath: 'ffmpeg', timeoutMs: 20_000 }), wall);
        expect(shown, `round ${round}: the shown frame carries the clock`).toBeDefined();
        expect(still, `round ${round}: the still carries the clock`).toBeDefined();
        if (Math.abs(shown! - still!) >= FRAME_MS / 2) offBy.push(`round ${round} camera ${cameraId.slice(0, 8)}: shown ${shown! - still!} ms from the still`);
      }
    }
    expect(offBy).toEqual([]);
    await page.close();
  }, 240_000);
});
