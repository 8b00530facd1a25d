import { describe, expect, it } from 'vitest';
import { pointInPolygon, countPersonsInZones } from '../../analytics/detect/crowd.ts';
import { computeLetterbox, toSourceX, toSourceY } from '../../analytics/detect/letterbox.ts';
import { intersectionOverUnion, nonMaxSuppression } from '../../analytics/detect/nms.ts';
import { decodeYolox } from '../../analytics/detect/yolox-decoder.ts';
import { resizeToTensor } from '../../analytics/models/resize-to-tensor.ts';
import { decodeCtcGreedy } from '../../analytics/plates/ctc-decoder.ts';
import { applyHomography, computeHomography } from '../../analytics/plates/homography.ts';
import { warpQuad } from '../../analytics/plates/perspective-warp.ts';
import { splitRows } from '../../analytics/plates/plate-reader.ts';
import { CameraFrameQueues } from '../../analytics/workers/camera-frame-queues.ts';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe('letterbox', () => {
  it('places a 1080p frame top-left for YOLOX and centred for the plate detector', () => {
    expect(computeLetterbox(1920, 1080, 416, 'top-left')).toEqual({ ratio: 416 / 1920, left: 0, top: 0, width: 416, height: 234 });
    const centred = computeLetterbox(1920, 1080, 320, 'centre');
    expect(centred).toMatchObject({ left: 0, top: 70, width: 320, height: 180 });
    expect(toSourceX(centred, 160)).toBeCloseTo(960);
    expect(toSourceY(centred, 70 + 90)).toBeCloseTo(540);
    expect(computeLetterbox(48, 320, 320, 'centre')).toMatchObject({ left: 136, top: 0, width: 48, height: 320 });
  });

  it('resizes into the tensor with padding and channel order', () => {
    // 2x1 RGB image: red, blue. Into a 4x4 tensor, top-left 4x2, BGR, pad 114.
    const image = { data: new Uint8Array([255, 0, 0, 0, 0, 255]), width: 2, height: 1, channels: 3 };
    const tensor = new Float32Array(3 * 16);
    resizeToTensor(image, { tensor, tensorWidth: 4, tensorHeight: 4, left: 0, top: 0, width: 4, height: 2, channelOrder: 'bgr', scale: 1, offset: 0, padPixel: 114 });
    const [b, , r] = [tensor.subarray(0, 16), tensor.subarray(16, 32), tensor.subarray(32, 48)];
    expect(r[0]).toBe(255); // leftmost column is pure red
    expect(b[3]).toBe(255); // rightmost is pure blue
    expect(r[1]).toBeCloseTo(191.25); // OpenCV sample position: 0.25 of the way to blue
    expect(r[8]).toBe(114); // row 2 is padding
    expect(b[15]).toBe(114);
  });
});

describe('NMS', () => {
  it('computes IoU', () => {
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(5, 0, 15, 10))).toBeCloseTo(50 / 150);
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(20, 20, 30, 30))).toBe(0);
  });

  it('keeps the best of overlapping boxes per class, and overlapping boxes of different classes', () => {
    const kept = nonMaxSuppression([
      { box: box(0, 0, 10, 10), score: 0.6, classId: 2 },
      { box: box(1, 0, 11, 10), score: 0.9, classId: 2 },
      { box: box(1, 1, 10, 10), score: 0.5, classId: 0 },
      { box: box(50, 50, 60, 60), score: 0.4, classId: 2 },
    ], 0.45);
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.5, 0.4]);
    expect(nonMaxSuppression(kept, 0.45, false).map((k) => k.score)).toEqual([0.9, 0.4]);
  });

  it('decodes a YOLOX anchor on the stride-16 grid back to source pixels', () => {
    const output = new Float32Array(3549 * 85);
    const anchor = 52 * 52 + 3 * 26 + 5; // stride 16, cell (5, 3)
    output.set([0.5, 0.5, Math.log(2), Math.log(4), 0.9], anchor * 85);
    output[anchor * 85 + 5 + 2] = 0.8; // car
    const letterbox = computeLetterbox(832, 832, 416, 'top-left'); // ratio 0.5
    const [d] = decodeYolox(output, letterbox, { inputSize: 416, scoreThreshold: 0.3, nmsThreshold: 0.45, sourceWidth: 832, sourceHeight: 832 });
    expect(d.classId).toBe(2);
    expect(d.score).toBeCloseTo(0.72);
    // centre (5.5·16, 3.5·16) = (88, 56), size 32x64 in model pixels → ×2 in source
    expect(d.box.x1).toBeCloseTo(144);
    expect(d.box.y1).toBeCloseTo(48);
    expect(d.box.x2).toBeCloseTo(208);
    expect(d.box.y2).toBeCloseTo(176);
  });
});

describe('homography and warp', () => {
  const quad = [{ x: 10, y: 20 }, { x: 110, y: 5 }, { x: 120, y: 60 }, { x: 15, y: 70 }];
  it('maps the four corners exactly', () => {
    const rect = [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 30 }, { x: 0, y: 30 }];
    const h = computeHomography(rect, quad);
    rect.forEach((p, i) => {
      const q = applyHomography(h, p);
      expect(q.x).toBeCloseTo(quad[i].x, 6);
      expect(q.y).toBeCloseTo(quad[i].y, 6);
    });
    expect(() => computeHomography(rect, [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 2 }, { x: 3, y: 3 }])).toThrow(/degenerate/);
  });

  it('flattens a quadrilateral: a left-right split image stays split', () => {
    const image = { width: 40, height: 20, channels: 3, data: new Uint8Array(40 * 20 * 3) };
    for (let y = 0; y < 20; y++) for (let x = 20; x < 40; x++) image.data.fill(200, (y * 40 + x) * 3, (y * 40 + x) * 3 + 3);
    const target = { data: new Uint8Array(10 * 4 * 3), width: 10, height: 4 };
    warpQuad(image, [{ x: 0, y: 0 }, { x: 40, y: 0 }, { x: 40, y: 20 }, { x: 0, y: 20 }], target);
    expect(target.data[0]).toBe(0);
    expect(target.data[(2 * 10 + 9) * 3]).toBe(200);
    expect(target.data[(1 * 10 + 3) * 3 + 1]).toBe(0);
    expect(target.data[(1 * 10 + 6) * 3 + 2]).toBe(200);
  });

  it('splits a double-layer quad at 40 % along its side edges', () => {
    const [upper, lower] = splitRows([{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 50 }, { x: 0, y: 50 }], 0.4);
    expect(upper[2]).toEqual({ x: 100, y: 20 });
    expect(lower[0]).toEqual({ x: 0, y: 20 });
    expect(lower[2]).toEqual({ x: 100, y: 50 });
  });
});

describe('CTC greedy decoding', () => {
  it('collapses repeats, drops blanks and the separator dot, keeps per-character confidence', () => {
    const chars = ['京', 'A', '·', '1'];
    const classes = chars.length + 1;
    const steps = [[1, 0.9], [1, 0.95], [0, 0.99], [3, 0.8], [2, 0.7], [0, 0.9], [4, 0.6], [0, 0.9], [4, 0.65]];
    const scores = new Float32Array(steps.length * classes);
    steps.forEach(([best, p], t) => {
      scores.fill((1 - p) / (classes - 1), t * classes, (t + 1) * classes);
      scores[t * classes + best] = p;
    });
    const decoded = decodeCtcGreedy(scores, 0, steps.length, classes, chars, new Set(['·']));
    expect(decoded.text).toBe('京A11');
    expect(decoded.charConfidences.map((c) => Math.round(c * 100) / 100)).toEqual([0.95, 0.7, 0.6, 0.65]);
  });
});

describe('crowd zones', () => {
  const triangle = [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 0, y: 10 }];
  it('tests points against a polygon', () => {
    expect(pointInPolygon({ x: 2, y: 2 }, triangle)).toBe(true);
    expect(pointInPolygon({ x: 8, y: 8 }, triangle)).toBe(false);
    expect(pointInPolygon({ x: -1, y: 2 }, triangle)).toBe(false);
  });

  it('counts persons by where their feet are', () => {
    const person = (x1: number, y1: number, x2: number, y2: number) => ({ className: 'person' as const, score: 0.9, box: box(x1, y1, x2, y2) });
    const car = { className: 'car' as const, score: 0.9, box: box(1, 1, 3, 3) };
    const counts = countPersonsInZones([person(1, -20, 3, 2), person(6, 0, 8, 8), car], [{ id: 'z', polygon: triangle }, { id: 'empty', polygon: [] }]);
    expect(counts).toEqual({ z: 1, empty: 0 });
  });
});

describe('camera frame queues', () => {
  it('drops the oldest when full and serves cameras in turn', () => {
    const q = new CameraFrameQueues<string>(2);
    expect(q.push('a', 'a1')).toBeUndefined();
    q.push('a', 'a2');
    expect(q.push('a', 'a3')).toBe('a1');
    q.push('b', 'b1');
    q.unshift('a', 'retry');
    expect([q.shift(), q.shift(), q.shift(), q.shift(), q.shift()]).toEqual(['retry', 'b1', 'a2', 'a3', undefined]);
    expect(q.drops()).toEqual({ a: 1 });
    expect(q.length).toBe(0);
  });
});
