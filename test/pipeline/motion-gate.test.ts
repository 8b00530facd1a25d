import { describe, expect, it } from 'vitest';
import { MotionGate } from '../../analytics/pipeline/motion-gate.ts';

const W = 320;
const H = 180;

function frame(fill: number, box?: { x: number; y: number; w: number; h: number; value: number }): Uint8Array {
  const rgb = new Uint8Array(W * H * 3).fill(fill);
  if (box) {
    for (let y = box.y; y < box.y + box.h; y++) rgb.fill(box.value, (y * W + box.x) * 3, (y * W + box.x + box.w) * 3);
  }
  return rgb;
}

describe('motion gate', () => {
  const gate = () => new MotionGate({ cellDelta: 12, minChangedFraction: 0.003, keepaliveMs: 10_000 });

  it('passes the first frame, skips an unchanged scene, passes a keepalive frame', () => {
    const g = gate();
    expect(g.check(frame(80), W, H, 0)).toBe('first');
    expect(g.check(frame(80), W, H, 500)).toBe('static');
    expect(g.check(frame(82), W, H, 1_000)).toBe('static'); // noise-level change
    expect(g.check(frame(80), W, H, 10_000)).toBe('keepalive');
    expect(g.check(frame(80), W, H, 10_500)).toBe('static');
  });

  it('passes a small object entering the scene (a car far away)', () => {
    const g = gate();
    g.check(frame(80), W, H, 0);
    // 20x12 pixels of 320x180 is 0.4% of the picture.
    expect(g.check(frame(80, { x: 100, y: 100, w: 20, h: 12, value: 220 }), W, H, 500)).toBe('motion');
  });

  it('compares with the last frame let through, so slow drift adds up', () => {
    const g = gate();
    g.check(frame(80), W, H, 0);
    const decisions = [84, 88, 92].map((v, i) => g.check(frame(v), W, H, 500 * (i + 1)));
    expect(decisions).toEqual(['static', 'static', 'motion']);
  });
});
