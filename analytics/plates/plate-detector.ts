import ort from 'onnxruntime-node';
import type { ModelRegistry, SessionOptions } from '../models/model-registry.ts';
import { assertRawImage, type RawImage } from '../models/raw-image.ts';
import { resizeToTensor, type SourceRect } from '../models/resize-to-tensor.ts';
import { computeLetterbox, type Letterbox } from '../detect/letterbox.ts';
import { nonMaxSuppression, type Box } from '../detect/nms.ts';
import type { Point } from '../detect/crowd.ts';

/** A plate found by the detector, in source pixels. Corners: top-left, top-right, bottom-right, bottom-left. */
export interface DetectedPlate {
  box: Box;
  corners: [Point, Point, Point, Point];
  score: number;
  layers: 1 | 2;
}

export interface PlateDetectorOptions extends SessionOptions {
  inputSize?: 320 | 640;
  objectnessThreshold?: number;
  nmsThreshold?: number;
}

const VALUES_PER_ANCHOR = 15;

/** HyperLPR3's y5fu multi-task detector: plate box, 4 corners and single/double-layer scores. */
export class PlateDetector {
  private readonly input: Float32Array;
  private readonly inputTensor: ort.Tensor;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputSize: number,
    private readonly objectnessThreshold: number,
    private readonly nmsThreshold: number,
  ) {
    this.input = new Float32Array(3 * inputSize * inputSize);
    this.inputTensor = new ort.Tensor('float32', this.input, [1, 3, inputSize, inputSize]);
  }

  static async create(registry: ModelRegistry, options: PlateDetectorOptions = {}): Promise<PlateDetector> {
    const size = options.inputSize ?? 320;
    const session = await registry.createSession(size === 640 ? 'plate-detector-640' : 'plate-detector-320', options);
    return new PlateDetector(session, size, options.objectnessThreshold ?? 0.3, options.nmsThreshold ?? 0.5);
  }

  /** Plates in the whole image, or only in `region` (results still in whole-image pixels). */
  async detect(image: RawImage, region?: SourceRect): Promise<DetectedPlate[]> {
    assertRawImage(image);
    const area = region ?? { x: 0, y: 0, width: image.width, height: image.height };
    const letterbox = computeLetterbox(area.width, area.height, this.inputSize, 'centre');
    // RGB /255, centred letterbox, black padding: HyperLPR3's detect_pre_precessing.
    resizeToTensor(image, {
      tensor: this.input, tensorWidth: this.inputSize, tensorHeight: this.inputSize, ...letterbox,
      channelOrder: 'rgb', scale: 1 / 255, offset: 0, padPixel: 0, source: area,
    });
    const result = await this.session.run({ [this.session.inputNames[0]]: this.inputTensor });
    const output = result[this.session.outputNames[0]];
    try {
      return decodePlates(output.data as Float32Array, letterbox, this.objectnessThreshold, this.nmsThreshold, area);
    } finally {
      output.dispose();
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Upstream post-processing: objectness gate, layer scores × objectness, best layer, NMS, un-letterbox. */
export function decodePlates(
  output: Float32Array, lb: Letterbox, objectnessThreshold: number, nmsThreshold: number, area: SourceRect,
): DetectedPlate[] {
  const candidates: Array<DetectedPlate & { classId: number }> = [];
  const sx = (v: number) => area.x + Math.min(Math.max((v - lb.left) / lb.ratio, 0), area.width);
  const sy = (v: number) => area.y + Math.min(Math.max((v - lb.top) / lb.ratio, 0), area.height);
  for (let o = 0; o + VALUES_PER_ANCHOR <= output.length; o += VALUES_PER_ANCHOR) {
    const objectness = output[o + 4];
    if (objectness <= objectnessThreshold) continue;
    const single = output[o + 13] * objectness;
    const double = output[o + 14] * objectness;
    const cx = output[o], cy = output[o + 1], w = output[o + 2], h = output[o + 3];
    const corners: DetectedPlate['corners'] = [
      { x: sx(output[o + 5]), y: sy(output[o + 6]) },
      { x: sx(output[o + 7]), y: sy(output[o + 8]) },
      { x: sx(output[o + 9]), y: sy(output[o + 10]) },
      { x: sx(output[o + 11]), y: sy(output[o + 12]) },
    ];
    candidates.push({
      box: { x1: sx(cx - w / 2), y1: sy(cy - h / 2), x2: sx(cx + w / 2), y2: sy(cy + h / 2) },
      corners,
      score: Math.max(single, double),
      layers: double > single ? 2 : 1,
      classId: 0, // NMS across layers: one plate is either single or double, never both
    });
  }
  return nonMaxSuppression(candidates, nmsThreshold, false).map(({ classId: _, ...plate }) => plate);
}
