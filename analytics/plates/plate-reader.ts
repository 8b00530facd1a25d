import type { Point } from '../detect/crowd.ts';
import type { ModelRegistry, SessionOptions } from '../models/model-registry.ts';
import type { ModelName } from '../models/model-manifest.ts';
import { assertRawImage, type RawImage } from '../models/raw-image.ts';
import { PlateColourClassifier } from './plate-colour-classifier.ts';
import { PlateDetector, type DetectedPlate } from './plate-detector.ts';
import { colourFromFormat } from '../vocabulary/plate-format.ts';
import { canonicalPlate, isNotAPlate, stripSeparators } from '../vocabulary/plate-canonical.ts';
import type { PlateReading } from './plate-reading.ts';
import { quadSize, warpQuad } from './perspective-warp.ts';
import { TextRecogniser } from './text-recogniser.ts';
import { refinePlateCorners } from './plate-refiner.ts';

export type { PlateReading } from './plate-reading.ts';

export interface PlateReaderOptions extends SessionOptions {
  detectorInputSize?: 320 | 640;
  /** Re-detect plates that are small in the detector input on a crop around them, for sharper corners. */
  refineSmallPlates?: boolean;
  /**
   * When the 320 detector finds no plate in a frame, look again with the 640 one, which finds plates about half
   * as large (far cars on a 1080p frame). Costs a 640 pass on every frame without a plate (see bench:analytics).
   */
  farPlates?: boolean;
}

/** Upstream splits a double-layer plate at 40 % of its height: the upper row holds province + letter. */
const DOUBLE_LAYER_SPLIT = 0.4;
/** Flat rows are warped no taller than this: the recogniser sees 48 px, the classifier 96 px. */
const MAX_FLAT_HEIGHT = 96;

/** The models a PlateReader loads: what a registry must verify before PlateReader.create. */
export const PLATE_READER_MODELS = ['plate-detector-320', 'text-recogniser', 'text-dictionary', 'plate-colour'] as const satisfies readonly ModelName[];

/**
 * Detect → refine → warp → recognise → check format → colour, for every plate in a frame.
 * One reader per thread: it owns reusable buffers and its ORT sessions are run one call at a time.
 */
export class PlateReader {
  private flatBuffers: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0)];

  private constructor(
    readonly detector: PlateDetector,
    private readonly recogniser: TextRecogniser,
    private readonly classifier: PlateColourClassifier,
    private readonly refine: boolean,
    private readonly farDetector?: PlateDetector,
  ) {}

  static async create(registry: ModelRegistry, options: PlateReaderOptions = {}): Promise<PlateReader> {
    const detector = await PlateDetector.create(registry, { ...options, inputSize: options.detectorInputSize ?? 320 });
    const recogniser = await TextRecogniser.create(registry, options);
    const classifier = await PlateColourClassifier.create(registry, options);
    const far = options.farPlates && (options.detectorInputSize ?? 320) === 320 ? await PlateDetector.create(registry, { ...options, inputSize: 640 }) : undefined;
    return new PlateReader(detector, recogniser, classifier, options.refineSmallPlates ?? true, far);
  }

  async readPlates(image: RawImage): Promise<PlateReading[]> {
    assertRawImage(image);
    const readings: PlateReading[] = [];
    let detected = await this.detector.detect(image);
    if (detected.length === 0 && this.farDetector) detected = await this.farDetector.detect(image);
    for (const found of detected) {
      const plate = this.refine ? await refinePlateCorners(this.detector, image, found) : found;
      const reading = await this.readOne(image, plate);
      if (reading) readings.push(reading);
    }
    if (!readings.some((r) => r.formatValid) && looksLikePlateCrop(image)) {
      // Plate-capture cameras and upstream tools hand over aligned plate strips, which the detector
      // (trained on scenes) does not find, or finds only one row of. Read the strip itself; keep it only if it is a plate number.
      // A double-layer plate is about 2:1 (440×220 mm), a single-layer one 3.1:1: a squat strip is read both ways.
      let reading = await this.readAlignedPlate(image);
      if (!reading?.formatValid && image.width / image.height < 2.6) reading = await this.readAlignedPlate(image, 2);
      if (reading?.formatValid) readings.push(reading);
    }
    return readings;
  }

  /** Reads an image that already is a flat plate (no detection; double-layer plates are split in rows). */
  async readAlignedPlate(image: RawImage, layers: 1 | 2 = 1): Promise<PlateReading | undefined> {
    assertRawImage(image);
    const { width: w, height: h } = image;
    const corners: DetectedPlate['corners'] = [{ x: 0, y: 0 }, { x: w, y: 0 }, { x: w, y: h }, { x: 0, y: h }];
    return this.readOne(image, { box: { x1: 0, y1: 0, x2: w, y2: h }, corners, score: 1, layers });
  }

  private async readOne(image: RawImage, found: DetectedPlate): Promise<PlateReading | undefined> {
    const quads = found.layers === 2 ? splitRows(found.corners, DOUBLE_LAYER_SPLIT) : [found.corners];
    const rows = quads.map((quad, i) => this.warp(image, quad, i));
    const texts = await this.recogniser.recognise(rows);
    // Separators out (with their confidences, so there is one per plate character), then the grammar repair.
    const kept = texts.flatMap((t) => [...t.text].map((char, i) => ({ char: stripSeparators(char), confidence: t.charConfidences[i] ?? 0 })))
      .filter((c) => c.char !== '');
    if (kept.length === 0) return undefined;
    const { plate, format, repairs, droppedIndex } = canonicalPlate(kept.map((c) => c.char).join(''));
    if (droppedIndex !== undefined) kept.splice(droppedIndex, 1);
    // Signs and slogans (危险品, a shop name) are text, not a misread plate: they never become readings.
    if (!format.valid && isNotAPlate(plate)) return undefined;
    const charConfidences = [...plate].length === kept.length ? kept.map((c) => c.confidence) : [...plate].map(() => Math.min(...kept.map((c) => c.confidence)));
    const fromFormat = colourFromFormat(plate, format);
    // The classifier sees the whole plate; for a double-layer plate re-warp it into buffer 0.
    const colour = fromFormat ?? (await this.classifier.classify(rows.length === 1 ? rows[0] : this.warp(image, found.corners, 0))).colour;
    const confidence = charConfidences.reduce((a, b) => a + b, 0) / charConfidences.length;
    return {
      plate,
      colour,
      colourSource: fromFormat ? 'format' : 'classifier',
      confidence,
      charConfidences,
      quality: plateQuality({ confidence, detectionScore: found.score, formatValid: format.valid, repairs, heightPx: quadSize(found.corners).height }),
      repairs,
      detectionScore: found.score,
      formatValid: format.valid,
      kind: format.kind,
      corners: found.corners,
      box: found.box,
      layers: found.layers,
    };
  }

  /** Warps a quad into reusable buffer `slot`, at its natural size capped to MAX_FLAT_HEIGHT rows. */
  private warp(image: RawImage, quad: readonly Point[], slot: number): RawImage {
    const natural = quadSize(quad);
    const scale = Math.min(1, MAX_FLAT_HEIGHT / natural.height);
    const width = Math.max(1, Math.round(natural.width * scale));
    const height = Math.max(1, Math.round(natural.height * scale));
    if (this.flatBuffers[slot].length < width * height * 3) this.flatBuffers[slot] = new Uint8Array(width * height * 3 * 2);
    const target = { data: this.flatBuffers[slot], width, height };
    warpQuad(image, quad, target);
    return { data: target.data, width, height, channels: 3 };
  }

  async release(): Promise<void> {
    await Promise.all([this.detector.release(), this.recogniser.release(), this.classifier.release(), this.farDetector?.release()]);
  }
}

/**
 * One number for how much a reading can be trusted (0–1), for ranking readings of the same car and for
 * search filters: the characters' confidence, the detector's score, a valid format, no repairs, and enough
 * pixels (a plate under 20 px tall is guesswork for any recogniser).
 */
export function plateQuality(r: { confidence: number; detectionScore: number; formatValid: boolean; repairs: number; heightPx: number }): number {
  const size = Math.min(1, Math.max(0, r.heightPx / 20));
  const score = r.confidence * Math.sqrt(Math.max(0, Math.min(1, r.detectionScore))) * (r.formatValid ? 1 : 0.5) * 0.9 ** r.repairs * (0.5 + 0.5 * size);
  return Math.round(score * 1_000) / 1_000;
}

/** A small strip with a plate's aspect (single-layer plates are 440×140 mm, about 3.1:1). */
function looksLikePlateCrop(image: RawImage): boolean {
  const aspect = image.width / image.height;
  return image.height <= 160 && aspect >= 1.8 && aspect <= 7;
}

/** Cuts a plate quad into an upper and a lower row along its left and right edges. */
export function splitRows(c: readonly Point[], at: number): Array<[Point, Point, Point, Point]> {
  const lerp = (a: Point, b: Point): Point => ({ x: a.x + (b.x - a.x) * at, y: a.y + (b.y - a.y) * at });
  const left = lerp(c[0], c[3]);
  const right = lerp(c[1], c[2]);
  return [
    [c[0], c[1], right, left],
    [left, right, c[2], c[3]],
  ];
}
