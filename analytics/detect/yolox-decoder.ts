import type { Letterbox } from './letterbox.ts';
import { nonMaxSuppression, type ScoredBox } from './nms.ts';

export const YOLOX_STRIDES = [8, 16, 32] as const;
const VALUES_PER_ANCHOR = 85;

export interface YoloxDecodeOptions {
  inputSize: number;
  scoreThreshold: number;
  nmsThreshold: number;
  /** COCO ids to keep; undefined keeps all 80. */
  classIds?: readonly number[];
  /** Source image size, to clip boxes. */
  sourceWidth: number;
  sourceHeight: number;
}

/**
 * Decodes YOLOX's raw head output: per anchor (x,y) offsets in cells, log (w,h), objectness and
 * sigmoid class scores, over the stride-8/16/32 grids in that order. Score = objectness · class score,
 * best class per anchor, class-wise NMS, boxes mapped back to source pixels through the letterbox.
 */
export function decodeYolox(output: Float32Array, letterbox: Letterbox, options: YoloxDecodeOptions): ScoredBox[] {
  const { inputSize, scoreThreshold } = options;
  const classIds = options.classIds ?? Array.from({ length: 80 }, (_, i) => i);
  const candidates: ScoredBox[] = [];
  let anchor = 0;
  for (const stride of YOLOX_STRIDES) {
    const cells = inputSize / stride;
    for (let gy = 0; gy < cells; gy++) {
      for (let gx = 0; gx < cells; gx++, anchor++) {
        const o = anchor * VALUES_PER_ANCHOR;
        const objectness = output[o + 4];
        if (objectness < scoreThreshold) continue; // class scores are ≤ 1, so the product cannot pass
        let bestScore = 0;
        let bestClass = -1;
        for (const id of classIds) {
          const s = output[o + 5 + id];
          if (s > bestScore) { bestScore = s; bestClass = id; }
        }
        const score = objectness * bestScore;
        if (score < scoreThreshold) continue;
        const cx = (output[o] + gx) * stride;
        const cy = (output[o + 1] + gy) * stride;
        const w = Math.exp(output[o + 2]) * stride;
        const h = Math.exp(output[o + 3]) * stride;
        candidates.push({ score, classId: bestClass, box: toSourceBox(cx, cy, w, h, letterbox, options) });
      }
    }
  }
  if (anchor * VALUES_PER_ANCHOR !== output.length) {
    throw new Error(`YOLOX output has ${output.length} values, expected ${anchor * VALUES_PER_ANCHOR} for input ${inputSize}`);
  }
  return nonMaxSuppression(candidates, options.nmsThreshold, true);
}

function toSourceBox(cx: number, cy: number, w: number, h: number, lb: Letterbox, o: YoloxDecodeOptions) {
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  return {
    x1: clip((cx - w / 2 - lb.left) / lb.ratio, o.sourceWidth),
    y1: clip((cy - h / 2 - lb.top) / lb.ratio, o.sourceHeight),
    x2: clip((cx + w / 2 - lb.left) / lb.ratio, o.sourceWidth),
    y2: clip((cy + h / 2 - lb.top) / lb.ratio, o.sourceHeight),
  };
}
