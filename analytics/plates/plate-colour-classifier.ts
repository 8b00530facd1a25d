import ort from 'onnxruntime-node';
import type { ModelRegistry, SessionOptions } from '../models/model-registry.ts';
import type { RawImage } from '../models/raw-image.ts';
import { resizeToTensor } from '../models/resize-to-tensor.ts';

export type ClassifiedColour = 'blue' | 'green' | 'yellow';

const SIZE = 96;
const LABELS: readonly ClassifiedColour[] = ['blue', 'green', 'yellow'];

/** HyperLPR3's plate colour classifier on the flat plate: BGR /255 at 96x96, as upstream feeds it. */
export class PlateColourClassifier {
  private readonly input = new Float32Array(3 * SIZE * SIZE);
  private readonly inputTensor = new ort.Tensor('float32', this.input, [1, 3, SIZE, SIZE]);

  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(registry: ModelRegistry, options: SessionOptions = {}): Promise<PlateColourClassifier> {
    return new PlateColourClassifier(await registry.createSession('plate-colour', options));
  }

  async classify(plate: RawImage): Promise<{ colour: ClassifiedColour; score: number }> {
    resizeToTensor(plate, {
      tensor: this.input, tensorWidth: SIZE, tensorHeight: SIZE, left: 0, top: 0, width: SIZE, height: SIZE,
      channelOrder: 'bgr', scale: 1 / 255, offset: 0, padPixel: 0,
    });
    const result = await this.session.run({ [this.session.inputNames[0]]: this.inputTensor });
    const output = result[this.session.outputNames[0]];
    try {
      const scores = output.data as Float32Array;
      let best = 0;
      for (let i = 1; i < LABELS.length; i++) if (scores[i] > scores[best]) best = i;
      return { colour: LABELS[best], score: scores[best] };
    } finally {
      output.dispose();
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
