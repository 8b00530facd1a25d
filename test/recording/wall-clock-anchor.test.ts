import { describe, expect, it } from 'vitest';
import { WallClockAnchor } from '../../recording/wall-clock-anchor.ts';

describe('WallClockAnchor: segment wall times bounded by when they were seen complete', () => {
  it('moves a late chain earlier by the overshoot, shrinking as better-placed segments arrive; early times are kept', () => {
    const anchor = new WallClockAnchor();
    // Raw times 1.1 s late: the segment [10_000, 11_000) is stamped [11_100, 12_100) and seen at 11_300.
    expect(anchor.place(11_100, 1_000, 11_300)).toBe(10_300);
    // The next one ([11_000, 12_000)) seen 50 ms after its end: the chain moves to that tighter bound.
    expect(anchor.place(12_100, 1_000, 12_050)).toBe(11_050);
    // A later, slower sighting does not move it back.
    expect(anchor.place(13_100, 1_000, 13_400)).toBe(12_050);
    const early = new WallClockAnchor();
    expect(early.place(9_500, 1_000, 11_200)).toBe(9_500);
  });

  it('a raw time that does not continue the chain (a new relay ffmpeg) starts again from no correction', () => {
    const anchor = new WallClockAnchor();
    expect(anchor.place(11_100, 1_000, 11_100)).toBe(10_100);
    expect(anchor.place(60_000, 1_000, 62_000)).toBe(60_000);
  });
});
