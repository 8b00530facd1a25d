import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLOCK_FRAME, decodeClockTime } from '../../devtools/sim/clock-stripe.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { greyFrames } from '../helpers/grey-frames.ts';
import { fetchWithCookie, openPlayback, startRecordingHub, waitForExport, type RecordingHub } from './playback-fixtures.ts';

const { width: W, height: H, fps: FPS } = CLOCK_FRAME;
const FRAME_MS = 1_000 / FPS;
const CHINA_OFFSET_MS = 8 * 3_600_000;

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
    const offsets = (times as number[]).map((x, i) => x - (hit!.at + i * FRAME_MS));
    console.log(kind, 'offsets source - index', offsets.map((o) => Math.round(o)).join(' '));
    const shown = times[Math.floor((asked - hit!.at) / FRAME_MS)]!;
    console.log(kind, 'asked', asked, 'shown', shown, shown - asked);
  });
});
