import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLOCK_FRAME, decodeClockTime } from '../../devtools/sim/clock-stripe.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, loginOnPage } from '../player/browser-session.ts';
import { until } from '../relay/relay-fixtures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { greyFrames } from '../helpers/grey-frames.ts';
import { fetchWithCookie, openPlayback, startRecordingHub, waitForExport, type RecordingHub } from './playback-fixtures.ts';

const { width: W, height: H, fps: FPS } = CLOCK_FRAME;
const FRAME_MS = 1_000 / FPS;
const CHINA_OFFSET_MS = 8 * 3_600_000;
/**
 * How far a recorded frame's indexed wall time may be from the time the source drew into it: one key-frame
 * interval of the source (1 s). The recorder learns a segment's wall time from the relay's program date time,
 * bounded by when it saw the segment complete, and a segment completes when the next key frame arrives; so
 * what the index can know is bounded by one key-frame interval, plus nothing: latency on loopback and the
 * 200 ms playlist poll are inside it (measured: 90–120 ms). Errors this catches are larger: ffmpeg's own
 * program date time, anchored when its muxer starts, was 1.1 s late here before the recorder corrected it
 * (recording/wall-clock-anchor.ts); a segment stamped when it closes is a segment (2 s) late; a China-time
 * versus UTC mix-up is 8 h off.
 */
const TOLERANCE_MS = 1_000;

/** `2026-12-07 08:15:30` in China time, and back: the instant an investigator types. */
const chinaText = (ms: number) => new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
const fromChinaText = (text: string) => Date.parse(`${text.replace(' ', 'T')}+08:00`);

/** The source-clock times of every frame of an MPEG-TS or MP4 file. */
async function frameTimes(dir: string, name: string, bytes: Buffer, reference: number): Promise<Array<number | undefined>> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return (await greyFrames(['-i', path], ['-fps_mode', 'passthrough'], W, H)).map((f) => decodeClockTime(f, W, H, reference));
}

/** A VOD playlist's segments: wall-clock start (EXT-X-PROGRAM-DATE-TIME), duration and URI. */
function vodSegments(text: string): Array<{ at: number; ms: number; uri: string }> {
  const out: Array<{ at: number; ms: number; uri: string }> = [];
  let at = NaN;
  let ms = NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) at = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) ms = Number.parseFloat(line.slice(8)) * 1_000;
    else if (line && !line.startsWith('#')) out.push({ at, ms, uri: line });
  }
  return out;
}

/** The source clock in the frame the <video> shows now, drawn to a canvas at its own size. */
async function shownClockTime(page: Page, reference: number): Promise<number | undefined> {
  const png = await page.getByTestId('playback-video').evaluate((v) => {
    const video = v as HTMLVideoElement;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    return canvas.toDataURL('image/png');
  });
  const { data, info } = await sharp(Buffer.from(png.split(',')[1]!, 'base64')).greyscale().raw().toBuffer({ resolveWithObject: true });
  return decodeClockTime(new Uint8Array(data.buffer, data.byteOffset, data.length), info.width, info.height, reference);
}

describeEachDatabase('recorded times against the source clock (simulator clock mode)', (kind) => {
  let h: RecordingHub;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-source-time-'));
    h = await startRecordingHub(kind, {}, 1, 'clock');
    await h.segments(6, 120_000);
  }, 150_000);
  afterAll(async () => {
    await h?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('playback asked for a China-time instant serves the segment whose frame then shows that instant', async () => {
    const segments = await h.index.segmentsBetween(h.cameraId, 0, Date.now());
    const text = chinaText(segments[3]!.startedAt + 1_000);
    const asked = fromChinaText(text);
    const opened = await openPlayback(h.t, h.t.users.psViewer, h.cameraId, { from: asked, to: asked + 10_000, reason: `source clock check ${text}` });
    expect(opened.status).toBe(201);
    const playlist = await fetchWithCookie(h.t, opened.body.playlistUrl, opened.cookie);
    const listed = vodSegments(playlist.text);
    const hit = listed.find((s) => asked >= s.at && asked < s.at + s.ms);
    expect(hit, `a listed segment covers ${text}`).toBeDefined();
    const base = opened.body.playlistUrl.replace(/index\.m3u8\?.*$/, '');
    const segment = await fetchWithCookie(h.t, `${base}${hit!.uri}`, opened.cookie);
    const times = await frameTimes(dir, 'segment.ts', segment.body, asked);
    expect(times.every((x) => x !== undefined)).toBe(true);
    // Every frame of the segment is off the index by the same amount (one pull, one anchor), to within a frame.
    const offsets = (times as number[]).map((x, i) => x - (hit!.at + i * FRAME_MS));
    expect(Math.max(...offsets) - Math.min(...offsets)).toBeLessThanOrEqual(FRAME_MS + 1);
    // The frame the player shows for the asked instant (the segment's program date time plus the offset in it).
    const shown = times[Math.floor((asked - hit!.at) / FRAME_MS)]!;
    expect(Math.abs(shown - asked), `source clock ${shown} for asked ${asked} (${text} China time)`).toBeLessThanOrEqual(TOLERANCE_MS);
  });

  it('an exported clip starts at the key frame before the range and ends in it, by the source clock', async () => {
    const segments = await h.index.segmentsBetween(h.cameraId, 0, Date.now());
    const from = segments[2]!.startedAt + 700;
    const to = from + 4_000;
    const created = await h.t.api('/api/v1/evidence/exports', { user: h.t.users.psViewer, body: { cameraId: h.cameraId, from, to, reason: 'source clock export check' } });
    expect(created.status).toBe(202);
    const job = await waitForExport(h.t, h.t.users.psViewer, created.body.id);
    expect(job.state).toBe('done');
    const response = await fetch(`${h.t.url}/api/v1/evidence/exports/${job.id}/file`, { headers: { authorization: `Bearer ${h.t.users.psViewer.token}` } });
    expect(response.status).toBe(200);
    const times = await frameTimes(dir, 'clip.mp4', Buffer.from(await response.arrayBuffer()), from);
    expect(times.length).toBeGreaterThan(3 * FPS);
    expect(times.every((x) => x !== undefined), 'every frame of the clip carries the source clock').toBe(true);
    const at = times as number[];
    for (let i = 1; i < at.length; i++) expect(Math.abs(at[i]! - at[i - 1]! - FRAME_MS), `frame ${i} follows on`).toBeLessThanOrEqual(2);
    // Cut without re-encoding at the key frame at or before `from` (a key frame a second), up to `to`.
    expect(at[0]!).toBeGreaterThanOrEqual(from - 1_000 - TOLERANCE_MS);
    expect(at[0]!).toBeLessThanOrEqual(from + TOLERANCE_MS);
    expect(at.at(-1)!).toBeLessThanOrEqual(to + TOLERANCE_MS);
    expect(at.at(-1)!).toBeGreaterThanOrEqual(to - FRAME_MS - TOLERANCE_MS);
    const manifest = (await h.t.api(`/api/v1/evidence/exports/${job.id}/manifest`, { user: h.t.users.psViewer })).body;
    expect(Math.abs(at[0]! - manifest.actual.fromMs), 'the manifest\'s actual start is the first frame\'s time').toBeLessThanOrEqual(TOLERANCE_MS);
  });

  it.runIf(kind === 'sqlite')('in Chromium, the player opened at a China time shows the source\'s frame of that time', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'hub-chromium-'));
    const browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 } });
    try {
      await browser.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
      const segments = await h.index.segmentsBetween(h.cameraId, 0, Date.now());
      const text = chinaText(segments[2]!.startedAt + 1_500);
      const asked = fromChinaText(text);
      const page = await loginOnPage(await browser.newPage(), h.t.url, 'psViewer');
      await page.goto(`${h.t.url}/player/#/playback?ids=${h.cameraId}`);
      await page.getByTestId('playback-at').fill(text.replace(' ', 'T'));
      await page.getByTestId('playback-reason').fill('案件 2026-7 时间核对');
      const clicked = Date.now();
      await page.getByTestId('playback-open').click();
      const video = page.getByTestId('playback-video');
      await until('video playing', () => video.evaluate((v) => (v as HTMLVideoElement).readyState >= 3 && (v as HTMLVideoElement).currentTime > 0), 30_000);
      await page.getByTestId('playback-pause').click();
      const played = Date.now() - clicked;
      await until('no seek in flight', () => video.evaluate((v) => !(v as HTMLVideoElement).seeking && (v as HTMLVideoElement).readyState >= 2), 10_000);
      await page.waitForTimeout(1_200); // the sync tick stamps the shown wall time on the video
      const wall = Number(await video.getAttribute('data-wall'));
      const shown = await shownClockTime(page, asked);
      expect(shown, 'the shown frame carries the source clock').toBeDefined();
      // The picture is the source's frame of the time the player says it shows…
      expect(Math.abs(shown! - wall), `source clock ${shown} vs the player's ${wall}`).toBeLessThanOrEqual(TOLERANCE_MS);
      // …and that is the asked China time, plus what played between the click and the pause.
      expect(shown!).toBeGreaterThanOrEqual(asked - TOLERANCE_MS);
      expect(shown!).toBeLessThanOrEqual(asked + played + TOLERANCE_MS);
      await page.close();
    } finally {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
