import { describe, expect, it } from 'vitest';
import { FrameRing } from '../../analytics/pipeline/frame-ring.ts';
import { RawFrameReader, type RawFrame } from '../../analytics/pipeline/raw-frame-reader.ts';

/** A stream of `count` frames of `size` bytes, frame i filled with the byte value i+1. */
function stream(size: number, count: number): Uint8Array {
  const bytes = new Uint8Array(size * count);
  for (let i = 0; i < count; i++) bytes.fill(i + 1, i * size, (i + 1) * size);
  return bytes;
}

describe('rawvideo frame reader', () => {
  it('cuts exact frames out of chunks of any size, into shared buffers', () => {
    const ring = new FrameRing(12, 4);
    const seen: number[] = [];
    const reader = new RawFrameReader(ring, (frame: RawFrame) => {
      expect(frame.slot.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect([...frame.slot.data].every((b) => b === frame.slot.data[0])).toBe(true);
      seen.push(frame.slot.data[0]);
      ring.release(frame.slot);
    }, () => { throw new Error('nothing should drop'); });
    const bytes = stream(12, 7);
    // Chunks of 5, 1, 30, ... bytes: never aligned with the 12-byte frames.
    const cuts = [5, 1, 30, 7, 11, 13, 17];
    let offset = 0;
    for (const n of cuts) { reader.push(bytes.subarray(offset, offset + n)); offset += n; }
    reader.push(bytes.subarray(offset));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('skips frames byte-exactly when every buffer is busy, and stays in step', () => {
    const ring = new FrameRing(8, 2);
    const held: RawFrame[] = [];
    const dropped: number[] = [];
    const reader = new RawFrameReader(ring, (frame) => held.push(frame), (sequence) => dropped.push(sequence));
    reader.push(stream(8, 5));
    expect(held.map((f) => f.slot.data[0])).toEqual([1, 2]);
    expect(dropped).toEqual([2, 3, 4]);
    for (const frame of held.splice(0)) ring.release(frame.slot);
    const next = stream(8, 6).subarray(40); // frame 6 only
    reader.push(next);
    expect(held.map((f) => f.slot.data[0])).toEqual([6]);
    expect(held[0].sequence).toBe(5);
  });

  it('gives the slot of a partial frame back on reset (stream restart)', () => {
    const ring = new FrameRing(8, 2);
    const reader = new RawFrameReader(ring, () => {}, () => {});
    reader.push(new Uint8Array(3));
    expect(ring.available).toBe(1);
    reader.reset();
    expect(ring.available).toBe(2);
    expect(() => ring.release(ring.acquire()!)).not.toThrow();
  });

  it('refuses a double release', () => {
    const ring = new FrameRing(4, 2);
    const slot = ring.acquire()!;
    ring.release(slot);
    expect(() => ring.release(slot)).toThrow(/twice/);
  });
});
