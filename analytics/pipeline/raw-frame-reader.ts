import type { FrameRing, FrameSlot } from './frame-ring.ts';

export interface RawFrame {
  slot: FrameSlot;
  /** Frame number since this reader started (0-based), counting dropped frames too. */
  sequence: number;
}

/**
 * Cuts a rawvideo byte stream into frames of exactly `ring.frameBytes`. Pipe chunks rarely align with
 * frames, so bytes are copied once, straight into the slot being filled; a frame that finds no free slot
 * is skipped byte-exactly (counted by the caller through onDropped) so the stream stays in step.
 */
export class RawFrameReader {
  private slot: FrameSlot | undefined;
  private skipping = false;
  private filled = 0;
  private sequence = 0;

  constructor(
    private readonly ring: FrameRing,
    private readonly onFrame: (frame: RawFrame) => void,
    private readonly onDropped: (sequence: number) => void,
  ) {}

  push(chunk: Uint8Array): void {
    const frameBytes = this.ring.frameBytes;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.filled === 0 && !this.slot && !this.skipping) {
        this.slot = this.ring.acquire();
        this.skipping = this.slot === undefined;
      }
      const take = Math.min(frameBytes - this.filled, chunk.length - offset);
      if (this.slot) this.slot.data.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === frameBytes) this.completeFrame();
    }
  }

  /** Drops a partly filled frame (the stream ended or restarts) and gives its slot back. */
  reset(): void {
    if (this.slot) this.ring.release(this.slot);
    this.slot = undefined;
    this.skipping = false;
    this.filled = 0;
  }

  private completeFrame(): void {
    const sequence = this.sequence++;
    const slot = this.slot;
    this.slot = undefined;
    this.skipping = false;
    this.filled = 0;
    if (slot) this.onFrame({ slot, sequence });
    else this.onDropped(sequence);
  }
}
