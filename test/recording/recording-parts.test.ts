import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../recording/hls-playlist.ts';
import { chinaDay, scheduleCovers, scheduleProblem } from '../../recording/recording-plan.ts';
import { frameRateOf, scanTs, TS_PACKET } from '../../recording/ts-scan.ts';

describe('recording parts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rec-parts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scans a real MPEG-TS file for frames and key frames as ffprobe sees them, and finds a cut packet', () => {
    const file = join(dir, 'clip.ts');
    // 4 s at 10 fps, a key frame every 10 frames (1 s), written by ffmpeg's MPEG-TS muxer.
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '4', '-c:v', 'libx264', '-g', '10', '-bf', '0', '-f', 'mpegts', file]);
    const data = readFileSync(file);
    const scan = scanTs(data);
    expect(scan.framesMs.length).toBe(40);
    expect(scan.keyframesMs).toEqual([0, 1_000, 2_000, 3_000]);
    // The frame rate the player's frame step uses, from the time stamps alone.
    expect(frameRateOf(scan)).toBe(10);
    expect(frameRateOf(scanTs(Buffer.alloc(0)))).toBeNull();
    // Millisecond time stamps of a 15 fps stream with one frame late at the edge measure 14.97: that is 15. A rate
    // near no standard one is kept as measured.
    const fifteen = Array.from({ length: 30 }, (_, i) => Math.round(i * 1_000 / 15));
    fifteen[29]! += 4;
    expect(frameRateOf({ framesMs: fifteen })).toBe(15);
    expect(frameRateOf({ framesMs: Array.from({ length: 27 }, (_, i) => Math.round(i * 1_000 / 13)) })).toBe(13);
    expect(scan.durationMs).toBe(4_000);
    expect(scan.trailingBytes).toBe(0);
    const cut = scanTs(data.subarray(0, data.length - 100));
    expect(cut.trailingBytes).toBe(TS_PACKET - 100);
    expect(cut.packets).toBe(data.length / TS_PACKET - 1);
    const corrupt = Buffer.from(data);
    corrupt[TS_PACKET * 5] = 0;
    expect(scanTs(corrupt).firstBadPacket).toBe(TS_PACKET * 5);
    expect(scanTs(Buffer.alloc(0)).framesMs).toEqual([]);
  });

  it('reads the relay playlist: durations, program date times, segment names', () => {
    const entries = parsePlaylist([
      '#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-TARGETDURATION:1', '#EXT-X-MEDIA-SEQUENCE:1796589650',
      '#EXTINF:1.000000,', '#EXT-X-PROGRAM-DATE-TIME:2026-12-06T20:40:50.586+0000', 'seg_1796589650.ts',
      '#EXTINF:0.960000,', '#EXT-X-PROGRAM-DATE-TIME:2026-12-06T20:40:51.586+0000', 'seg_1796589651.ts',
      '#EXTINF:1.0,', '../escape.ts',
    ].join('\n'));
    expect(entries).toEqual([
      { sequence: 1796589650, name: 'seg_1796589650.ts', durationMs: 1_000, programDateTime: Date.parse('2026-12-06T20:40:50.586Z') },
      { sequence: 1796589651, name: 'seg_1796589651.ts', durationMs: 960, programDateTime: Date.parse('2026-12-06T20:40:51.586Z') },
    ]);
  });

  it('evaluates weekly tables in China time', () => {
    // 2026-12-07 is a Monday; 09:30 China time is 01:30 UTC.
    const mondayMorning = Date.parse('2026-12-07T01:30:00Z');
    expect(chinaDay(mondayMorning)).toBe('2026-12-07');
    expect(chinaDay(Date.parse('2026-12-06T16:30:00Z'))).toBe('2026-12-07');
    expect(scheduleCovers({ mon: [['08:00', '18:00']] }, mondayMorning)).toBe(true);
    expect(scheduleCovers({ mon: [['10:00', '18:00']] }, mondayMorning)).toBe(false);
    expect(scheduleCovers({ tue: [['00:00', '24:00']] }, mondayMorning)).toBe(false);
    expect(scheduleCovers({ sun: [['00:00', '24:00']] }, Date.parse('2026-12-06T15:59:00Z'))).toBe(true);
    expect(scheduleProblem({ mon: [['18:00', '08:00']] })).toMatch(/does not end after it starts/);
    expect(scheduleProblem({ mon: [['08:00', '18:00']], sun: [['00:00', '24:00']] })).toBeUndefined();
  });
});
