/** MPEG-TS: fixed 188-byte packets starting with 0x47. */
export const TS_PACKET = 188;
const SYNC = 0x47;
const PTS_HZ = 90;
const PTS_WRAP = 2 ** 33;

/** What a recorded MPEG-TS file holds, read from packet headers only (no decoding). */
export interface TsScan {
  /** Whole packets in the buffer (trailing bytes of a cut packet excluded). */
  packets: number;
  /** Bytes after the last whole packet (a write cut by a crash). */
  trailingBytes: number;
  /** Offset of the first byte that is not a sync byte where a packet should start, or -1. */
  firstBadPacket: number;
  /** Video PES time stamps in ms from the first one, in file order (unwrapped). */
  framesMs: number[];
  /** Offsets in ms from the first frame of the frames flagged as random access points (key frames). */
  keyframesMs: number[];
  /** Last frame's offset plus one frame interval; 0 without frames. */
  durationMs: number;
}

function readPts(b: Buffer, at: number): number {
  return ((b[at]! >> 1) & 0x07) * 2 ** 30 + (b[at + 1]! << 22) + ((b[at + 2]! >> 1) << 15) + (b[at + 3]! << 7) + (b[at + 4]! >> 1);
}

/**
 * Scans a TS buffer: the video stream's PES starts with their PTS, and which carry the random access
 * indicator (set by ffmpeg's muxer on key frames). Costs one pass over the headers, so the recorder can
 * run it on every segment it closes and the start-up re-index on every file it finds.
 */
export function scanTs(data: Buffer): TsScan {
  const packets = Math.floor(data.length / TS_PACKET);
  let videoPid = -1;
  let firstPts: number | undefined;
  let previous = 0;
  let wraps = 0;
  let firstBadPacket = -1;
  const framesMs: number[] = [];
  const keyframesMs: number[] = [];
  for (let i = 0; i < packets; i++) {
    const p = i * TS_PACKET;
    if (data[p] !== SYNC) {
      firstBadPacket = p;
      break;
    }
    const pusi = (data[p + 1]! & 0x40) !== 0;
    if (!pusi) continue;
    const pid = ((data[p + 1]! & 0x1f) << 8) | data[p + 2]!;
    const afc = (data[p + 3]! >> 4) & 0x03;
    if ((afc & 0x01) === 0) continue;
    let payload = p + 4;
    let randomAccess = false;
    if (afc & 0x02) {
      const length = data[p + 4]!;
      if (length > 0) randomAccess = (data[p + 5]! & 0x40) !== 0;
      payload += 1 + length;
    }
    if (payload + 14 > p + TS_PACKET) continue;
    if (data[payload] !== 0 || data[payload + 1] !== 0 || data[payload + 2] !== 1) continue;
    const streamId = data[payload + 3]!;
    if (streamId < 0xe0 || streamId > 0xef) continue;
    if (videoPid === -1) videoPid = pid;
    if (pid !== videoPid) continue;
    if ((data[payload + 7]! & 0x80) === 0) continue;
    let pts = readPts(data, payload + 9);
    if (firstPts === undefined) firstPts = pts;
    else if (pts + wraps * PTS_WRAP < previous - PTS_WRAP / 2) wraps++;
    pts += wraps * PTS_WRAP;
    previous = pts;
    const offsetMs = Math.round((pts - firstPts) / PTS_HZ);
    framesMs.push(offsetMs);
    if (randomAccess) keyframesMs.push(offsetMs);
  }
  return {
    packets: firstBadPacket === -1 ? packets : firstBadPacket / TS_PACKET,
    trailingBytes: firstBadPacket === -1 ? data.length - packets * TS_PACKET : data.length - firstBadPacket,
    firstBadPacket, framesMs, keyframesMs, durationMs: durationOf(framesMs),
  };
}

/** Span of the frames plus one typical frame interval (the last frame is shown for that long). */
function durationOf(framesMs: number[]): number {
  if (framesMs.length === 0) return 0;
  const sorted = [...framesMs].sort((a, b) => a - b);
  return sorted.at(-1)! - sorted[0]! + frameIntervalMs(framesMs);
}

/** The typical (median) time between frames in ms, from their time stamps in any order; 0 with fewer than two. */
export function frameIntervalMs(framesMs: number[]): number {
  const sorted = [...framesMs].sort((a, b) => a - b);
  const deltas = sorted.slice(1).map((v, i) => v - sorted[i]!).filter((d) => d > 0).sort((a, b) => a - b);
  return deltas.length > 0 ? deltas[Math.floor(deltas.length / 2)]! : 0;
}

/**
 * The frame on screen at `offsetMs` (ms from the scan's first frame): the last one that starts at or before
 * it, since a player keeps a frame up until the next one starts; the earliest frame for an earlier offset;
 * undefined without frames.
 */
export function frameShownAt(framesMs: number[], offsetMs: number): number | undefined {
  let shown: number | undefined;
  let earliest: number | undefined;
  for (const frame of framesMs) {
    if (earliest === undefined || frame < earliest) earliest = frame;
    if (frame <= offsetMs && (shown === undefined || frame > shown)) shown = frame;
  }
  return shown ?? earliest;
}

/**
 * Frames per second of a scan's video, from its time stamps over the whole span (whole-ms stamps make a
 * single interval of a 15 fps stream 66 or 67 ms; the span averages that out), or null with too few frames.
 */
/** Rates cameras and encoders are set to; a measured rate within 1 % of one of them is that rate. */
const STANDARD_FRAME_RATES = [10, 12.5, 15, 20, 23.976, 24, 25, 29.97, 30, 50, 59.94, 60];

export function frameRateOf(scan: Pick<TsScan, 'framesMs'>): number | null {
  if (scan.framesMs.length < 3) return null;
  const span = Math.max(...scan.framesMs) - Math.min(...scan.framesMs);
  if (span <= 0) return null;
  // Time stamps in whole milliseconds and a frame late at a segment's edge move the mean a little (15 fps
  // measured as 14.97): snap to the standard rate it is within 1 % of.
  const measured = (scan.framesMs.length - 1) * 1_000 / span;
  const standard = STANDARD_FRAME_RATES.find((rate) => Math.abs(measured - rate) / rate < 0.01);
  return standard ?? Math.round(measured * 100) / 100;
}
