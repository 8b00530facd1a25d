import { intersectionOverUnion } from '../detect/nms.ts';
import type { RawImage } from '../models/raw-image.ts';
import type { DetectedPlate, PlateDetector } from './plate-detector.ts';

/** Below this width in detector-input pixels the corners are too coarse for a clean warp. */
const SMALL_PLATE_MODEL_PX = 64;
/** The crop is this many plate widths wide, so the plate fills about a third of the detector input. */
const CROP_PLATE_WIDTHS = 3;

/**
 * A plate far from the camera covers a few detector pixels in a full 1080p frame, so its corners are
 * off by several source pixels. Re-running the same detector on a square crop around it gives corners
 * at near-source resolution for one more small inference, instead of running the 640 model (4× the
 * cost) on every frame. Returns the original detection if the crop finds nothing overlapping it.
 */
export async function refinePlateCorners(detector: PlateDetector, image: RawImage, plate: DetectedPlate): Promise<DetectedPlate> {
  const plateWidth = plate.box.x2 - plate.box.x1;
  const plateHeight = plate.box.y2 - plate.box.y1;
  const modelScale = detector.inputSize / Math.max(image.width, image.height);
  if (plateWidth * modelScale >= SMALL_PLATE_MODEL_PX) return plate;

  const side = Math.min(Math.max(plateWidth, plateHeight * 3) * CROP_PLATE_WIDTHS, image.width, image.height);
  if (side >= Math.max(image.width, image.height) * 0.9) return plate; // the crop would barely zoom in
  const cx = (plate.box.x1 + plate.box.x2) / 2;
  const cy = (plate.box.y1 + plate.box.y2) / 2;
  const size = Math.round(side);
  const x = Math.round(Math.min(Math.max(cx - side / 2, 0), image.width - size));
  const y = Math.round(Math.min(Math.max(cy - side / 2, 0), image.height - size));
  const found = await detector.detect(image, { x, y, width: size, height: size });
  let best: DetectedPlate | undefined;
  let bestOverlap = 0.3;
  for (const candidate of found) {
    const overlap = intersectionOverUnion(candidate.box, plate.box);
    if (overlap > bestOverlap) { best = candidate; bestOverlap = overlap; }
  }
  // Keep the full-frame layer decision and score: they saw the plate in context.
  return best ? { ...best, score: plate.score, layers: plate.layers } : plate;
}
