import ort from 'onnxruntime-node';
import type { ModelRegistry, SessionOptions } from '../models/model-registry.ts';
import { assertRawImage, type RawImage } from '../models/raw-image.ts';
import { resizeToTensor, type SourceRect } from '../models/resize-to-tensor.ts';
import { mergeTiledDetections, tileRegions } from './tiled-detection.ts';
import { TRACKED_CLASSES, trackedClassName, type ObjectClass } from './coco-classes.ts';
import { computeLetterbox } from './letterbox.ts';
import type { Box, ScoredBox } from './nms.ts';
import { decodeYolox } from './yolox-decoder.ts';

export interface DetectedObject {
  className: ObjectClass;
  score: number;
  /** Source-image pixels. */
  box: Box;
}

export interface ObjectDetectorOptions extends SessionOptions {
  scoreThreshold?: number;
  nmsThreshold?: number;
  /** Also detect on grid × grid overlapping tiles (2 or 3) and merge: finds people too small for one 416 pass. */
  tiles?: number;
}

const INPUT_SIZE = 416;
const TRACKED_IDS = Object.keys(TRACKED_CLASSES).map(Number);

/**
 * YOLOX-Nano over one frame. The input tensor is allocated once and refilled per frame; run calls are
 * serialised by the caller (one detector per worker thread).
 */
export class ObjectDetector {
  private readonly input = new Float32Array(3 * INPUT_SIZE * INPUT_SIZE);
  private readonly inputTensor = new ort.Tensor('float32', this.input, [1, 3, INPUT_SIZE, INPUT_SIZE]);

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly scoreThreshold: number,
    private readonly nmsThreshold: number,
    private readonly tiles: number,
  ) {}

  static async create(registry: ModelRegistry, options: ObjectDetectorOptions = {}): Promise<ObjectDetector> {
    const session = await registry.createSession('object-detector', options);
    return new ObjectDetector(session, options.scoreThreshold ?? 0.3, options.nmsThreshold ?? 0.45, options.tiles ?? 1);
  }

  /** Persons and vehicles only. */
  async detect(image: RawImage): Promise<DetectedObject[]> {
    let raw = await this.detectRaw(image, TRACKED_IDS);
    // Tiles smaller than the model input would only enlarge people past the sizes it learned (and cut them).
    if (this.tiles > 1 && tileRegions(image.width, image.height, this.tiles).every((t) => t.width >= INPUT_SIZE && t.height >= INPUT_SIZE * 0.75)) {
      for (const region of tileRegions(image.width, image.height, this.tiles)) raw = raw.concat(await this.detectRaw(image, TRACKED_IDS, region));
      raw = mergeTiledDetections(raw, this.nmsThreshold);
    }
    return raw.map((d) => ({ className: trackedClassName(d.classId)!, score: d.score, box: d.box }));
  }

  /** Every COCO class, by id: for diagnostics and tests of the class filter. */
  async detectRaw(image: RawImage, classIds?: readonly number[], region?: SourceRect): Promise<ScoredBox[]> {
    assertRawImage(image);
    const area = region ?? { x: 0, y: 0, width: image.width, height: image.height };
    const letterbox = computeLetterbox(area.width, area.height, INPUT_SIZE, 'top-left');
    // YOLOX-Nano wants BGR 0–255 with no normalisation, padding 114 (its training letterbox).
    resizeToTensor(image, {
      tensor: this.input, tensorWidth: INPUT_SIZE, tensorHeight: INPUT_SIZE, ...letterbox,
      channelOrder: 'bgr', scale: 1, offset: 0, padPixel: 114, source: area,
    });
    const result = await this.session.run({ [this.session.inputNames[0]]: this.inputTensor });
    const output = result[this.session.outputNames[0]];
    try {
      const boxes = decodeYolox(output.data as Float32Array, letterbox, {
        inputSize: INPUT_SIZE, scoreThreshold: this.scoreThreshold, nmsThreshold: this.nmsThreshold,
        classIds, sourceWidth: area.width, sourceHeight: area.height,
      });
      if (area.x === 0 && area.y === 0) return boxes;
      return boxes.map((b) => ({ ...b, box: { x1: b.box.x1 + area.x, y1: b.box.y1 + area.y, x2: b.box.x2 + area.x, y2: b.box.y2 + area.y } }));
    } finally {
      output.dispose();
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
