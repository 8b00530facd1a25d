import type { Point } from '../detect/crowd.ts';
import type { Box } from '../detect/nms.ts';
import type { PlateKind } from '../vocabulary/plate-format.ts';
import type { PlateColour } from '../vocabulary/plate-vocabulary.js';

/** One plate read from a frame. Coordinates are source-image pixels. */
export interface PlateReading {
  plate: string;
  colour: PlateColour;
  /** 'format' when the plate number decides the colour (港 → black, new-energy → green), else 'classifier'. */
  colourSource: 'format' | 'classifier';
  /** Mean of the character confidences. */
  confidence: number;
  charConfidences: number[];
  /** 0–1: confidence, detector score, format, repairs and size in one (see plateQuality). */
  quality: number;
  /** Characters the grammar repair changed (京8… → 京B…). */
  repairs: number;
  /** Detector score (objectness × layer score). */
  detectionScore: number;
  formatValid: boolean;
  kind?: PlateKind;
  /** TL, TR, BR, BL. */
  corners: [Point, Point, Point, Point];
  box: Box;
  layers: 1 | 2;
}
