import ort from 'onnxruntime-node';
import type { ModelRegistry, SessionOptions } from '../models/model-registry.ts';
import { assertRawImage, type RawImage } from '../models/raw-image.ts';
import { resizeToTensor } from '../models/resize-to-tensor.ts';
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
  ) {}

  static async create(registry: ModelRegistry, options: ObjectDetectorOptions = {}): Promise<ObjectDetector> {
    const session = await registry.createSession('object-detector', options);
    return new ObjectDetector(session, options.scoreThreshold ?? 0.3, options.nmsThreshold ?? 0.45);
  }

  /** Persons and vehicles only. */
  async detect(image: RawImage): Promise<DetectedObject[]> {
    const raw = await this.detectRaw(image, TRACKED_IDS);
    return raw.map((d) => ({ className: trackedClassName(d.classId)!, score: d.score, box: d.box }));
  }

  /** Every COCO class, by id: for diagnostics and tests of the class filter. */
  async detectRaw(image: RawImage, classIds?: readonly number[]): Promise<ScoredBox[]> {
    assertRawImage(image);
    const letterbox = computeLetterbox(image.width, image.height, INPUT_SIZE, 'top-left');
    // YOLOX-Nano wants BGR 0–255 with no normalisation, padding 114 (its training letterbox).
    resizeToTensor(image, {
      tensor: this.input, tensorWidth: INPUT_SIZE, tensorHeight: INPUT_SIZE, ...letterbox,
      channelOrder: 'bgr', scale: 1, offset: 0, padPixel: 114,
    });
    const result = await this.session.run({ [this.session.inputNames[0]]: this.inputTensor });
    const output = result[this.session.outputNames[0]];
    try {
      return decodeYolox(output.data as Float32Array, letterbox, {
        inputSize: INPUT_SIZE, scoreThreshold: this.scoreThreshold, nmsThreshold: this.nmsThreshold,
        classIds, sourceWidth: image.width, sourceHeight: image.height,
      });
    } finally {
      output.dispose();
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
