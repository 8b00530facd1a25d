import ort from 'onnxruntime-node';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { ModelName } from '../models/model-manifest.ts';
import type { ModelRegistry, SessionOptions } from '../models/model-registry.ts';
import { assertRawImage, type RawImage } from '../models/raw-image.ts';
import { resizeToTensor } from '../models/resize-to-tensor.ts';
import type { DensityMap } from './density-map.ts';

export interface DensityEstimatorOptions extends SessionOptions {
  /** Manifest name of the model (analytics.crowd.densityModel). */
  model?: ModelName;
  /** The picture's long side is resized to this (the model was trained near 1024; 768 is about twice as fast). */
  longSide?: number;
}

const STRIDE = 8;
const ALIGN = 32;

/**
 * A density-map crowd counter (see models/MANIFEST.json, crowd-density): BGR 0–255, long side resized to
 * `longSide`, padded bottom/right to a multiple of 32 with 114; the output is people per 8×8 input cell.
 * Detectors miss people who are a few pixels tall or hidden behind each other; the density model does not
 * look for individuals, so it keeps counting where the detector stops (see docs/CROWD.md).
 */
export class DensityEstimator {
  private input = new Float32Array(0);

  private constructor(private readonly session: ort.InferenceSession, private readonly longSide: number) {}

  static async create(registry: ModelRegistry, options: DensityEstimatorOptions = {}): Promise<DensityEstimator> {
    const model = options.model ?? 'crowd-density';
    const session = await registry.createSession(model, options);
    return new DensityEstimator(session, options.longSide ?? 1024);
  }

  async estimate(image: RawImage): Promise<DensityMap> {
    assertRawImage(image);
    const ratio = this.longSide / Math.max(image.width, image.height);
    const width = Math.max(ALIGN, Math.round(image.width * ratio));
    const height = Math.max(ALIGN, Math.round(image.height * ratio));
    const tensorWidth = Math.ceil(width / ALIGN) * ALIGN;
    const tensorHeight = Math.ceil(height / ALIGN) * ALIGN;
    const size = 3 * tensorWidth * tensorHeight;
    if (this.input.length !== size) this.input = new Float32Array(size);
    resizeToTensor(image, {
      tensor: this.input, tensorWidth, tensorHeight, left: 0, top: 0, width, height,
      channelOrder: 'bgr', scale: 1, offset: 0, padPixel: 114,
    });
    const tensor = new ort.Tensor('float32', this.input, [1, 3, tensorHeight, tensorWidth]);
    const result = await this.session.run({ [this.session.inputNames[0]]: tensor });
    const output = result[this.session.outputNames[0]];
    try {
      const [, , gridHeight, gridWidth] = output.dims;
      if (gridWidth * STRIDE !== tensorWidth || gridHeight * STRIDE !== tensorHeight) {
        throw new DomainError('MODEL_OUTPUT_SHAPE', `density model answered ${gridWidth}×${gridHeight} cells for a ${tensorWidth}×${tensorHeight} input (stride ${STRIDE} expected)`);
      }
      // Only the cells over the picture (not the padding); cell size in source pixels.
      const cols = Math.ceil(width / STRIDE);
      const rows = Math.ceil(height / STRIDE);
      const data = new Float32Array(cols * rows);
      const values = output.data as Float32Array;
      for (let row = 0; row < rows; row++) data.set(values.subarray(row * gridWidth, row * gridWidth + cols), row * cols);
      return { width: cols, height: rows, cellWidth: STRIDE / ratio, cellHeight: STRIDE / ratio, data };
    } finally {
      output.dispose();
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
