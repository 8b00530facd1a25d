/** A raw program date time this far from where the previous segment ended starts a new chain (a new relay ffmpeg). */
const CHAIN_TOLERANCE_MS = 500;

/**
 * Puts the relay's segments on the wall clock. ffmpeg stamps `EXT-X-PROGRAM-DATE-TIME` from the moment its
 * HLS muxer starts (in whole seconds), after it connected and probed the camera, and counts on from there
 * by media time: every segment of that pull is late by the same amount, measured at over a second against
 * the simulator's clock mode (test/playback/source-time.test.ts). What bounds it: a segment cannot end after
 * the moment the recorder saw it complete in the playlist. When the raw times claim otherwise, the chain
 * is moved earlier by the overshoot; what stays is the network latency and the playlist poll delay of the
 * best-placed segment seen so far, which shrinks as segments arrive. Raw times that are early (no
 * overshoot) cannot be told from a slow network, and are kept.
 */
export class WallClockAnchor {
  private chainEnd: number | undefined;
  private shift = 0;

  /** Wall time of a segment's first frame, given its raw program date time and when it was seen complete. */
  place(rawAt: number, durationMs: number, seenAt: number): number {
    if (this.chainEnd === undefined || Math.abs(rawAt - this.chainEnd) > CHAIN_TOLERANCE_MS) this.shift = 0;
    this.chainEnd = rawAt + durationMs;
    const overshoot = rawAt + this.shift + durationMs - seenAt;
    if (overshoot > 0) this.shift -= overshoot;
    return rawAt + this.shift;
  }
}
