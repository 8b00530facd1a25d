import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedFrame } from '../../api/evidence/still-export.ts';
import { openDatabase, type HubDatabase } from '../../api/kernel/db/database.ts';
import { migrateToLatest } from '../../api/kernel/db/migrator.ts';
import { RecordingIndex } from '../../recording/recording-index.ts';
import { frameShownAt } from '../../recording/ts-scan.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/databases.ts';

const FPS = 15;
const FRAMES = 30;
const STARTED_AT = 1_796_600_000_000;
const frameStart = (k: number) => STARTED_AT + (k * 1_000) / FPS;
/** Frame k of the segment is a flat grey 7k above black (video range), so a decoded still tells which frame it is. */
const LEVEL_STEP = 7;

// A paused player shows the frame that started last; a still exported at the time it shows must be that frame,
// not the next one. CI caught the browser playback test comparing a paused tile (1 ms before a frame that
// begins a new scene) with the next scene's frame, which the still export returned.
describe('a still from a recording is the frame on screen at its time', () => {
  let scratch: ScratchDatabase;
  let database: HubDatabase;
  let index: RecordingIndex;
  let root: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase('sqlite');
    database = openDatabase({ url: scratch.url, dataDir: scratch.dataDir, poolSize: 1 });
    await migrateToLatest(database.db);
    root = join(scratch.dataDir, 'recordings');
    mkdirSync(join(root, 'cam-1'), { recursive: true });
    const file = join(root, 'cam-1', `${STARTED_AT}.ts`);
    // 2 s at 15 fps, every frame a different grey, B-frames on (decode order is not display order).
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=black:s=64x36:r=${FPS}:d=2,format=yuv420p,geq=lum='16+N*${LEVEL_STEP}':cb=128:cr=128`,
      '-c:v', 'libx264', '-crf', '4', '-g', '15', '-bf', '2', '-f', 'mpegts', file]);
    index = new RecordingIndex(database.db);
    await index.addSegment({
      id: 'segment-1', cameraId: 'cam-1', startedAt: STARTED_AT, endedAt: STARTED_AT + 2_000, durationMs: 2_000, bytes: statSync(file).size,
      path: `cam-1/${STARTED_AT}.ts`, format: 'mpegts', keyframes: [0, 1_000], state: 'complete', createdAt: STARTED_AT,
    });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  /** Which frame the still at `at` is (its JPEG is full range: video-range steps of 7 are 7 × 255/219 apart). */
  const frameAt = async (at: number) => {
    const jpeg = await recordedFrame(index, root, 'cam-1', at, { ffmpegPath: 'ffmpeg', timeoutMs: 20_000 });
    const { channels } = await sharp(jpeg).greyscale().stats();
    return Math.round(channels[0]!.mean / (LEVEL_STEP * 255 / 219));
  };

  it.each([
    ['just after frame 0 starts', 0, 1],
    ['1 ms before frame 1 starts', 0, 1_000 / FPS - 1],
    ['1 ms before frame 8 starts', 7, 8_000 / FPS - 1 - 7_000 / FPS],
    ['half way through frame 14', 14, 500 / FPS],
    ['just after frame 15 (a key frame) starts', 15, 1],
    ['1 ms before the last frame starts', 28, 1_000 / FPS - 1],
    ['past the last frame, before the segment ends', 29, 40],
  ])('%s: frame %i', async (_label, frame, afterStart) => {
    expect(await frameAt(Math.round(frameStart(frame) + afterStart))).toBe(frame);
  }, 30_000);

  it('picks the last frame started at or before the offset, in any file order', () => {
    expect(frameShownAt([0, 133, 67, 200], 199)).toBe(133);
    expect(frameShownAt([0, 133, 67, 200], 200)).toBe(200);
    expect(frameShownAt([40, 80], 10)).toBe(40);
    expect(frameShownAt([], 10)).toBeUndefined();
  });
});
