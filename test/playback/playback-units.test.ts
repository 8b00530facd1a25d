import { describe, expect, it } from 'vitest';
import { playbackReach } from '../../api/access/camera-access.ts';
import { formatChinaTime, isoChinaTime } from '../../api/playback/china-time.ts';
import { assertPlaybackRange, assertReason } from '../../api/playback/playback-range.ts';
import { segmentIdOf, vodPlaylist } from '../../api/playback/vod-playlist.ts';
import { clipCutArgs, clipJoinArgs, recordedFrameArgs } from '../../ingest/ffmpeg/evidence-args.ts';
import type { RecordedSegment } from '../../recording/recording-index.ts';

const DAY = 86_400_000;
const segment = (id: string, startedAt: number, durationMs: number): RecordedSegment => ({
  id, cameraId: 'c1', startedAt, endedAt: startedAt + durationMs, durationMs, bytes: 1_000, path: `c1/${id}.ts`, format: 'mpegts', keyframes: [0, 1_000], state: 'complete', createdAt: startedAt,
});
const codeOf = (run: () => unknown) => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('playback and export parts', () => {
  it('a VOD playlist names each segment with its wall-clock start, a discontinuity between them, and the token', () => {
    const start = Date.UTC(2026, 11, 6, 12, 0, 0);
    const text = vodPlaylist([segment('a1', start, 2_000), segment('b2', start + 10_000, 6_500)], '?token=T');
    const lines = text.trim().split('\n');
    expect(lines).toEqual([
      '#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:7', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-PLAYLIST-TYPE:VOD', '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-PROGRAM-DATE-TIME:2026-12-06T12:00:00.000Z', '#EXTINF:2.000,', 'a1.ts?token=T',
      '#EXT-X-DISCONTINUITY', '#EXT-X-PROGRAM-DATE-TIME:2026-12-06T12:00:10.000Z', '#EXTINF:6.500,', 'b2.ts?token=T',
      '#EXT-X-ENDLIST',
    ]);
  });

  it('segment names in media paths are ids with .ts or .mp4, nothing else', () => {
    expect(segmentIdOf('0b5c-11.ts')).toBe('0b5c-11');
    for (const bad of ['../x.ts', 'a/b.ts', 'x.m3u8', '.ts', 'x.ts.ts', 'x%2e.ts']) expect(segmentIdOf(bad)).toBeUndefined();
  });

  it('China time is UTC+8 without daylight saving', () => {
    expect(formatChinaTime(Date.UTC(2026, 6, 1, 20, 30, 5))).toBe('2026-07-02 04:30:05');
    expect(isoChinaTime(Date.UTC(2026, 0, 1, 0, 0, 0, 120))).toBe('2026-01-01T08:00:00.120+08:00');
  });

  it('ranges: empty, too long, in the future and outside the grant\'s reach are refused with their codes', () => {
    const now = Date.now();
    const max = 24 * 3_600_000;
    expect(codeOf(() => assertPlaybackRange({ from: now - 1_000, to: now - 1_000 }, max, {}, now))).toBe('RANGE_EMPTY');
    expect(codeOf(() => assertPlaybackRange({ from: now - 30 * DAY, to: now }, max, {}, now))).toBe('RANGE_TOO_LONG');
    expect(codeOf(() => assertPlaybackRange({ from: now + 1, to: now + 2 }, max, {}, now))).toBe('RANGE_IN_FUTURE');
    expect(codeOf(() => assertPlaybackRange({ from: now - 10_000, to: now }, max, { playbackFrom: now - 5_000 }, now))).toBe('PLAYBACK_BEYOND_GRANT');
    expect(codeOf(() => assertPlaybackRange({ from: now - 10_000, to: now }, max, { playbackFrom: now - 20_000, playbackTo: now - 1 }, now))).toBe('PLAYBACK_BEYOND_GRANT');
    expect(codeOf(() => assertPlaybackRange({ from: now - 10_000, to: now }, max, { playbackFrom: now - 20_000 }, now))).toBeUndefined();
    expect(codeOf(() => assertReason(' a '))).toBe('REASON_REQUIRED');
    expect(assertReason('  case 7 ')).toBe('case 7');
  });

  it('a grant\'s playback reach: its window, the last N days, or unlimited', () => {
    const now = Date.now();
    const grant = { starts_at: now - 3_600_000, ends_at: now + 3_600_000, playback_days: null };
    expect(playbackReach({ ...grant, playback_lookback: 'window' }, now)).toEqual({ playbackFrom: now - 3_600_000, playbackTo: now + 3_600_000 });
    expect(playbackReach({ ...grant, playback_lookback: 'days', playback_days: 7 }, now)).toEqual({ playbackFrom: now - 7 * DAY });
    expect(playbackReach({ ...grant, playback_lookback: 'none' }, now)).toEqual({});
    expect(playbackReach({ ...grant, playback_lookback: null }, now)).toEqual({});
  });

  it('export argv: local files only (file: URLs on stdin), plain paths, caption paths without quotes', () => {
    const join = clipJoinArgs(['/data/rec/a.ts', '/data/rec/b.ts'], '/data/exports/1/joined.mp4');
    expect(join.stdin).toBe("ffconcat version 1.0\nfile 'file:/data/rec/a.ts'\nfile 'file:/data/rec/b.ts'\n");
    expect(join.args).toContain('file,pipe');
    expect(join.args.join(' ')).not.toContain('/data/rec/a.ts');
    expect(codeOf(() => clipJoinArgs(['rec/a.ts'], '/out.mp4'))).toBe('FFMPEG_PATH_INVALID');
    expect(codeOf(() => clipJoinArgs([], '/out.mp4'))).toBe('FFMPEG_INPUT_INVALID');
    const copy = clipCutArgs('/x/joined.mp4', '/x/out.mp4', 1.5, 60);
    expect(copy).toEqual(expect.arrayContaining(['-ss', '1.500', '-t', '60.000', '-c', 'copy']));
    expect(copy).not.toContain('libx264');
    const captioned = clipCutArgs('/x/joined.mp4', '/x/out.mp4', 0, 3, { textFile: '/x/caption.txt', fontFile: '/fonts/NotoSansCJK-Regular.ttc' });
    expect(captioned).toContain('libx264');
    expect(captioned.find((a) => a.startsWith('drawtext='))).toContain("textfile='/x/caption.txt':expansion=none");
    expect(codeOf(() => clipCutArgs('/x/j.mp4', '/x/o.mp4', 0, 3, { textFile: "/x/it's.txt", fontFile: '/f.ttc' }))).toBe('FFMPEG_PATH_INVALID');
    expect(codeOf(() => clipCutArgs('/x/j.mp4', '/x/o.mp4', 0, 0))).toBe('FFMPEG_INPUT_INVALID');
    // Output-side seek: -ss after -i (decodes from the segment start; input seeking in MPEG-TS can overshoot).
    const frame = recordedFrameArgs('/x/a.ts', 1.25);
    expect(frame.indexOf('-ss')).toBe(frame.indexOf('-i') + 2);
    expect(frame[frame.indexOf('-ss') + 1]).toBe('1.250');
  });
});
