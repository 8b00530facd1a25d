import ort from 'onnxruntime-node';
import type { ModelRegistry, SessionOptions } from '../models/model-registry.ts';
import type { RawImage } from '../models/raw-image.ts';
import { resizeToTensor } from '../models/resize-to-tensor.ts';
import { decodeCtcGreedy, type DecodedText } from './ctc-decoder.ts';

const HEIGHT = 48;
/** Narrow inputs leave too few CTC steps (width / 8) for 7–8 characters and their blanks. */
const MIN_WIDTH = 160;
const MAX_WIDTH = 320;
const NEVER_IN_PLATES = new Set(['·', ' ']);

/**
 * PP-OCRv4 text recogniser for flat plate rows. Rows are resized to height 48 keeping their aspect
 * (PaddleOCR's resize_norm_img), normalised (x/255 − 0.5)/0.5 in BGR, right-padded with 0 and run as
 * one batch. The input buffer grows to the largest batch seen and is then reused.
 */
export class TextRecogniser {
  private buffer = new Float32Array(0);

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly characters: readonly string[],
  ) {}

  static async create(registry: ModelRegistry, options: SessionOptions = {}): Promise<TextRecogniser> {
    const dictionary = registry.fileBytes('text-dictionary').toString('utf8').split(/\r?\n/);
    if (dictionary.at(-1) === '') dictionary.pop();
    const session = await registry.createSession('text-recogniser', options);
    // Index 0 is the CTC blank, 1..n the dictionary lines, n+1 the space PaddleOCR appends.
    return new TextRecogniser(session, [...dictionary, ' ']);
  }

  async recognise(rows: readonly RawImage[]): Promise<DecodedText[]> {
    if (rows.length === 0) return [];
    const widths = rows.map((r) => Math.min(MAX_WIDTH, Math.max(1, Math.ceil((HEIGHT * r.width) / r.height))));
    const tensorWidth = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Math.ceil(Math.max(...widths) / 8) * 8));
    const plane = HEIGHT * tensorWidth;
    const size = rows.length * 3 * plane;
    if (this.buffer.length < size) this.buffer = new Float32Array(size);
    const input = this.buffer.subarray(0, size);
    rows.forEach((row, i) => {
      resizeToTensor(row, {
        tensor: input, tensorWidth, tensorHeight: HEIGHT, left: 0, top: 0, width: widths[i], height: HEIGHT,
        channelOrder: 'bgr', scale: 2 / 255, offset: -1, padPixel: 127.5, batchOffset: i * 3 * plane,
      });
    });
    const tensor = new ort.Tensor('float32', input, [rows.length, 3, HEIGHT, tensorWidth]);
    const result = await this.session.run({ [this.session.inputNames[0]]: tensor });
    const output = result[this.session.outputNames[0]];
    try {
      const [, steps, classes] = output.dims;
      if (classes !== this.characters.length + 1) {
        throw new Error(`recogniser has ${classes} classes, dictionary gives ${this.characters.length + 1}`);
      }
      const scores = output.data as Float32Array;
      return rows.map((_, i) => decodeCtcGreedy(scores, i * steps * classes, steps, classes, this.characters, NEVER_IN_PLATES));
    } finally {
      output.dispose();
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
