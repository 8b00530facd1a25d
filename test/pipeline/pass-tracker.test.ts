import { describe, expect, it } from 'vitest';
import type { DetectedObject } from '../../analytics/detect/object-detector.ts';
import type { PlateReading } from '../../analytics/plates/plate-reading.ts';
import { passId, PassTracker } from '../../analytics/pipeline/pass-tracker.ts';

function reading(plate: string, confidence: number, x = 100, formatValid = true): PlateReading {
  const box = { x1: x, y1: 500, x2: x + 120, y2: 540 };
  return {
    plate, colour: 'blue', colourSource: 'classifier', confidence, charConfidences: [...plate].map(() => confidence), detectionScore: 0.9, quality: confidence, repairs: 0,
    formatValid, corners: [{ x: box.x1, y: box.y1 }, { x: box.x2, y: box.y1 }, { x: box.x2, y: box.y2 }, { x: box.x1, y: box.y2 }], box, layers: 1,
  };
}
const car: DetectedObject = { className: 'car', score: 0.9, box: { x1: 0, y1: 300, x2: 400, y2: 700 } };

describe('pass tracker', () => {
  const tracker = () => new PassTracker('cam-1', { gapMs: 3_000, minConfidence: 0.6, maxOpen: 8 });

  it('merges one plate over consecutive frames into one pass with the best reading', () => {
    const t = tracker();
    expect(t.observe(0, [reading('京A12345', 0.8)], [car]).improved).toHaveLength(1);
    expect(t.observe(500, [reading('京A12345', 0.95, 130)], [car]).improved).toHaveLength(1);
    expect(t.observe(1_000, [reading('京A12345', 0.7, 160)], [car]).improved).toHaveLength(0);
    expect(t.closeIdle(3_500)).toHaveLength(0);
    const [pass, ...rest] = t.closeIdle(4_000);
    expect(rest).toHaveLength(0);
    expect(pass.best.confidence).toBe(0.95);
    expect(pass.bestAt).toBe(500);
    expect(pass.readings).toBe(3);
    expect(pass.vehicle?.className).toBe('car');
    expect(pass.id).toBe(passId('cam-1', '京A12345', 0));
  });

  it('merges a one-character OCR disagreement where the plate was, not elsewhere', () => {
    const t = tracker();
    t.observe(0, [reading('京A12345', 0.8)], []);
    t.observe(500, [reading('京A12346', 0.9, 110)], []); // overlapping box, 1 char off: same pass
    t.observe(1_000, [reading('京A12347', 0.9, 900)], []); // 1 char off but elsewhere: another car
    const closed = t.flush();
    expect(closed.map((p) => p.best.plate).sort()).toEqual(['京A12346', '京A12347']);
  });

  it('keeps a plate alive through static (gated) frames, and closes it after the gap', () => {
    const t = tracker();
    t.observe(0, [reading('京A12345', 0.9)], []);
    for (let at = 500; at <= 20_000; at += 500) {
      t.unchanged(at);
      expect(t.closeIdle(at)).toHaveLength(0);
    }
    t.observe(20_500, [], []); // the car left
    expect(t.closeIdle(22_999)).toHaveLength(0);
    expect(t.closeIdle(23_000)).toHaveLength(1);
  });

  it('ignores low-confidence reads and opens no pass on an implausible plate', () => {
    const t = tracker();
    t.observe(0, [reading('京A12345', 0.3), reading('XX1', 0.9, 600, false)], []);
    expect(t.openCount).toBe(0);
  });

  it('bounds open passes per camera by closing the stalest', () => {
    const t = new PassTracker('cam-1', { gapMs: 60_000, minConfidence: 0.5, maxOpen: 2 });
    t.observe(0, [reading('京A11111', 0.9, 0)], []);
    t.observe(100, [reading('京B22222', 0.9, 300)], []);
    const { evicted } = t.observe(200, [reading('京C33333', 0.9, 600)], []);
    expect(evicted.map((p) => p.best.plate)).toEqual(['京A11111']);
    expect(t.openCount).toBe(2);
  });

  it('derives the same pass id from the same camera, plate and first frame time (replay after a crash)', () => {
    expect(passId('c', '京A12345', 1)).toBe(passId('c', '京A12345', 1));
    expect(passId('c', '京A12345', 1)).not.toBe(passId('c', '京A12345', 2));
    expect(passId('c', '京A12345', 1)).toMatch(/^[A-Za-z0-9_]{1,128}$/);
  });
});
