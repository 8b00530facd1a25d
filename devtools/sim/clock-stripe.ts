/**
 * Reads the time stripe the simulator's clock mode draws into every frame (`clock_frames.py`, same layout):
 * 40 cells across the top 32 of 360 rows; cell 0 white and 1 black (reference levels), cells 2–28 the
 * capture time as 27 bits of milliseconds of the UTC day (most significant first), 29–36 a CRC-8
 * (polynomial 0x07) of the value's four big-endian bytes, 37–39 white, black, white. Coordinates are
 * relative, so a frame scaled on the way (a canvas of another size) still reads.
 */
export const CLOCK_FRAME = { width: 640, height: 360, fps: 25 } as const;

const CELLS = 40;
const VALUE_BITS = 27;
const CHECK_BITS = 8;
const DAY_MS = 86_400_000;
/** Rows sampled inside the 32-row stripe, away from its edges (block artefacts sit there). */
const ROW_FROM = 8 / 360;
const ROW_TO = 24 / 360;
/** Reference white minus black below this: no stripe in the picture (another clip, a black frame). */
const MIN_CONTRAST = 80;

export function crc8(value: number): number {
  let crc = 0;
  for (const byte of [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

/**
 * Milliseconds of the UTC day a grey frame (one byte per pixel, row-major, `width` × `height`) carries, or
 * undefined when it has no readable stripe (references missing, trailer or check wrong).
 */
export function decodeClockStripe(grey: Uint8Array, width: number, height: number): number | undefined {
  if (grey.length < width * height) return undefined;
  const y0 = Math.floor(height * ROW_FROM);
  const y1 = Math.max(y0 + 1, Math.floor(height * ROW_TO));
  const cellMean = (cell: number) => {
    // The middle half of the cell: an edge between two cells is blurred by the codec and any scaling.
    const x0 = Math.floor(((cell + 0.25) * width) / CELLS);
    const x1 = Math.max(x0 + 1, Math.floor(((cell + 0.75) * width) / CELLS));
    let sum = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += grey[y * width + x]!;
    return sum / ((y1 - y0) * (x1 - x0));
  };
  const white = cellMean(0);
  const black = cellMean(1);
  if (white - black < MIN_CONTRAST) return undefined;
  const threshold = (white + black) / 2;
  const bits = Array.from({ length: CELLS }, (_, i) => (cellMean(i) > threshold ? 1 : 0));
  if (bits[37] !== 1 || bits[38] !== 0 || bits[39] !== 1) return undefined;
  const number = (from: number, count: number) => bits.slice(from, from + count).reduce<number>((n, bit) => n * 2 + bit, 0);
  const value = number(2, VALUE_BITS);
  if (number(2 + VALUE_BITS, CHECK_BITS) !== crc8(value) || value >= DAY_MS) return undefined;
  return value;
}

/** The epoch ms with that millisecond of the UTC day nearest `reference` (the stripe has no date). */
export function clockTimeNear(msOfDay: number, reference: number): number {
  const day = Math.floor(reference / DAY_MS) * DAY_MS;
  const candidates = [day - DAY_MS, day, day + DAY_MS].map((d) => d + msOfDay);
  return candidates.reduce((best, at) => (Math.abs(at - reference) < Math.abs(best - reference) ? at : best));
}

/** The capture time (epoch ms) a grey frame shows, resolved near `reference`; undefined when unreadable. */
export function decodeClockTime(grey: Uint8Array, width: number, height: number, reference: number): number | undefined {
  const msOfDay = decodeClockStripe(grey, width, height);
  return msOfDay === undefined ? undefined : clockTimeNear(msOfDay, reference);
}
