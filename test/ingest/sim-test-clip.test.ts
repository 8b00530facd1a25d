import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATES_CLIP_SECONDS, PLATES_TIMELINE } from '../../devtools/sim/clip-presets.ts';
import { buildClip } from '../../devtools/sim/test-clip.ts';
import { ffprobeJson } from './sim-helpers.ts';

describe('test clip builder', () => {
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'sim-clips-'));
  });
  afterAll(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  // blue_zangDT5022_closeup.jpg is really a PNG: the builder must decode by content.
  const options = () => ({
    segments: [
      { image: 'plates/green_suED51712_street.jpg', seconds: 1 },
      { image: null, seconds: 1 },
      { image: 'plates/blue_zangDT5022_closeup.jpg', seconds: 1 },
    ],
    width: 320, height: 180, fps: 10, gopSeconds: 1, cacheDir,
  });

  it('builds browser-playable H.264 (main, yuv420p, no B-frames) with a key frame every GOP, cached', async () => {
    const path = await buildClip(options());
    expect(path.startsWith(cacheDir)).toBe(true);
    const info = await ffprobeJson(['-select_streams', 'v', '-show_streams', '-show_frames', '-show_entries', 'frame=key_frame,pict_type', path]);
    expect(info.streams[0]).toMatchObject({ codec_name: 'h264', profile: 'Main', pix_fmt: 'yuv420p', width: 320, height: 180, has_b_frames: 0, r_frame_rate: '10/1' });
    const frames = info.frames as Array<{ key_frame: number; pict_type: string }>;
    expect(frames).toHaveLength(30);
    expect(frames.map((f, i) => (f.key_frame ? i : -1)).filter((i) => i >= 0)).toEqual([0, 10, 20]);
    expect(frames.some((f) => f.pict_type === 'B')).toBe(false);

    const before = await stat(path);
    const again = await buildClip(options());
    expect(again).toBe(path);
    expect((await stat(again)).mtimeMs).toBe(before.mtimeMs);
    expect(await buildClip({ ...options(), fps: 5 })).not.toBe(path);
  });

  it('rejects odd sizes and images that are not JPEG or PNG', async () => {
    await expect(buildClip({ ...options(), width: 321 })).rejects.toMatchObject({ code: 'SIM_CLIP_SIZE' });
    await expect(buildClip({ images: ['LABELS.tsv'], cacheDir })).rejects.toMatchObject({ code: 'SIM_CLIP_IMAGE' });
  });

  it('describes the plates clip: the labelled full-scene plates, each followed by black', () => {
    const mustRead = PLATES_TIMELINE.filter((entry) => entry.mustRead).map((entry) => entry.plate);
    expect(mustRead).toEqual(['苏ED51712', '藏DT5022']);
    expect(PLATES_TIMELINE.filter((entry) => entry.image === null)).toHaveLength(PLATES_TIMELINE.length / 2);
    expect(PLATES_CLIP_SECONDS).toBe(PLATES_TIMELINE.reduce((sum, entry) => sum + entry.endSeconds - entry.startSeconds, 0));
  });
});
