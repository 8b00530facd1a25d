import { describe, expect, it } from 'vitest';
import type { DetectedObject } from '../../analytics/detect/object-detector.ts';
import type { PlateReading } from '../../analytics/plates/plate-reading.ts';
import { VehicleTracker } from '../../analytics/vehicles/vehicle-tracker.ts';

const car = (x: number, y: number, size = 300, className: DetectedObject['className'] = 'car'): DetectedObject => ({ className, score: 0.9, box: { x1: x, y1: y, x2: x + size, y2: y + size * 0.6 } });
const plateAt = (x: number, y: number, formatValid = true) => ({ plate: '京A12345', formatValid, box: { x1: x, y1: y, x2: x + 60, y2: y + 20 } }) as PlateReading;

describe('vehicle tracker (passes without a plate)', () => {
  const tracker = () => new VehicleTracker({ gapMs: 2_000, minFrames: 3, frameHeight: 1080, maxOpen: 8 });

  it('a car driving across the picture with no readable plate becomes a plateless pass with its direction', () => {
    const t = tracker();
    for (let i = 0; i < 6; i++) t.observe(i * 500, [car(100 + i * 120, 400)], []);
    expect(t.closeIdle(3_000).plateless).toEqual([]); // not idle yet
    const { closed, plateless } = t.closeIdle(5_000);
    expect(closed).toHaveLength(1);
    expect(plateless).toEqual([expect.objectContaining({ direction: 'left_to_right', track: expect.objectContaining({ className: 'car', frames: 6, firstSeenAt: 0, lastSeenAt: 2_500 }) })]);
  });

  it('keeps the largest view as the crop: an approaching car grows', () => {
    const t = tracker();
    const improvedAt: number[] = [];
    for (let i = 0; i < 5; i++) if (t.observe(i * 500, [car(800 - i * 20, 200 + i * 120, 200 + i * 40)], []).length) improvedAt.push(i * 500);
    expect(improvedAt).toEqual([0, 500, 1_000, 1_500, 2_000]);
    const [{ track, direction }] = t.flush().plateless;
    expect(direction).toBe('approaching');
    expect(track.bestAt).toBe(2_000);
  });

  it('leaves a car whose plate was read to the plate pass', () => {
    const t = tracker();
    for (let i = 0; i < 6; i++) t.observe(i * 500, [car(100 + i * 120, 400)], i === 3 ? [plateAt(100 + i * 120 + 120, 520)] : []);
    expect(t.flush().plateless).toEqual([]);
  });

  it('an unreadable plate (invalid format) does not count as read', () => {
    const t = tracker();
    for (let i = 0; i < 6; i++) t.observe(i * 500, [car(100 + i * 120, 400)], [plateAt(100 + i * 120 + 120, 520, false)]);
    expect(t.flush().plateless).toHaveLength(1);
  });

  it('makes no pass for a parked car, a one-frame ghost or a bicycle', () => {
    const t = tracker();
    for (let i = 0; i < 10; i++) t.observe(i * 500, [car(600, 500), car(100 + i * 100, 100, 120, 'bicycle')], []);
    t.observe(5_000, [car(1_200, 800)], []);
    expect(t.flush().plateless).toEqual([]);
  });

  it('follows two cars side by side as two tracks', () => {
    const t = tracker();
    for (let i = 0; i < 5; i++) t.observe(i * 500, [car(100 + i * 100, 200), car(1_500 - i * 100, 600)], []);
    expect(t.flush().plateless.map((p) => p.direction).sort()).toEqual(['left_to_right', 'right_to_left']);
  });
});
