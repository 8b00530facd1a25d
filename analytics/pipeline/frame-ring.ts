/** One reusable frame buffer of a camera's ring. */
export interface FrameSlot {
  readonly index: number;
  /** Backed by a SharedArrayBuffer: a worker that crashes mid-frame leaves it intact for a retry. */
  readonly data: Uint8Array;
}

/**
 * A fixed set of frame buffers per camera, allocated once and reused: memory stays bounded however far
 * the workers fall behind. A slot is held from the moment ffmpeg starts filling it until its analysis
 * (and any crop encoding from it) is finished. SharedArrayBuffers, because the inference pool retries a
 * shared frame on a replacement worker after a crash, while a transferred buffer would die with it.
 */
export class FrameRing {
  private readonly slots: FrameSlot[];
  private readonly free: number[];

  constructor(readonly frameBytes: number, readonly size: number) {
    if (!Number.isInteger(frameBytes) || frameBytes <= 0) throw new RangeError('frameBytes must be a positive integer');
    if (!Number.isInteger(size) || size < 2) throw new RangeError('a frame ring needs at least 2 slots');
    this.slots = Array.from({ length: size }, (_, index) => ({ index, data: new Uint8Array(new SharedArrayBuffer(frameBytes)) }));
    this.free = this.slots.map((s) => s.index).reverse();
  }

  /** A free slot, or undefined when every slot is still in use (the caller drops the frame). */
  acquire(): FrameSlot | undefined {
    const index = this.free.pop();
    return index === undefined ? undefined : this.slots[index];
  }

  release(slot: FrameSlot): void {
    if (this.slots[slot.index] !== slot) throw new Error('slot does not belong to this ring');
    if (this.free.includes(slot.index)) throw new Error(`frame slot ${slot.index} released twice`);
    this.free.push(slot.index);
  }

  get available(): number {
    return this.free.length;
  }
}
