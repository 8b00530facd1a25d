export const THUMB_WIDTH = 64;
export const THUMB_HEIGHT = 36;

export interface MotionGateOptions {
  /** Grey-level difference that marks a thumbnail cell as changed. */
  cellDelta: number;
  /** Fraction of changed cells (0..1) needed to call it motion. */
  minChangedFraction: number;
  /** Let one frame through this often even when nothing moves (a parked car is still read). */
  keepaliveMs: number;
}

export type GateDecision = 'first' | 'motion' | 'keepalive' | 'static';

/**
 * Cheap change detection so that a static scene costs almost nothing: each frame is reduced to a 64x36
 * grey thumbnail (block means over a sparse pixel grid) and compared with the thumbnail of the last frame
 * that was let through, not the previous frame, so slow drift still adds up to a change.
 */
export class MotionGate {
  private reference: Float32Array | undefined;
  private referenceAt = 0;
  private readonly current = new Float32Array(THUMB_WIDTH * THUMB_HEIGHT);

  constructor(private readonly options: MotionGateOptions) {}

  /** Decides for one RGB frame; a frame let through becomes the new reference. */
  check(rgb: Uint8Array, width: number, height: number, at: number): GateDecision {
    greyThumbnail(rgb, width, height, this.current);
    if (!this.reference) return this.accept('first', at);
    const changed = changedFraction(this.reference, this.current, this.options.cellDelta);
    if (changed >= this.options.minChangedFraction && changed > 0) return this.accept('motion', at);
    if (at - this.referenceAt >= this.options.keepaliveMs) return this.accept('keepalive', at);
    return 'static';
  }

  reset(): void {
    this.reference = undefined;
  }

  private accept(decision: GateDecision, at: number): GateDecision {
    this.reference ??= new Float32Array(this.current.length);
    this.reference.set(this.current);
    this.referenceAt = at;
    return decision;
  }
}

/** Mean grey level per cell, from every second pixel of every second row (a quarter of the pixels). */
export function greyThumbnail(rgb: Uint8Array, width: number, height: number, out: Float32Array): void {
  out.fill(0);
  const counts = new Uint32Array(out.length);
  for (let y = 0; y < height; y += 2) {
    const row = Math.min(THUMB_HEIGHT - 1, Math.floor((y * THUMB_HEIGHT) / height)) * THUMB_WIDTH;
    let p = y * width * 3;
    for (let x = 0; x < width; x += 2, p += 6) {
      const cell = row + Math.min(THUMB_WIDTH - 1, Math.floor((x * THUMB_WIDTH) / width));
      // Integer luma approximation (BT.601).
      out[cell] += (rgb[p] * 77 + rgb[p + 1] * 150 + rgb[p + 2] * 29) >> 8;
      counts[cell]++;
    }
  }
  for (let i = 0; i < out.length; i++) if (counts[i] > 0) out[i] /= counts[i];
}

export function changedFraction(a: Float32Array, b: Float32Array, cellDelta: number): number {
  let changed = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) >= cellDelta) changed++;
  return changed / a.length;
}
