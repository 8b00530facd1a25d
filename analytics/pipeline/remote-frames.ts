import type { DetectedObject } from '../detect/object-detector.ts';
import type { PlateReading } from '../plates/plate-reading.ts';
import { QUEUE_PREFIX } from './pass-queue.ts';

export { QUEUE_PREFIX };
/** Redis keys analytics:frames:* — frames for remote workers, JPEG-encoded (raw frames never go to Redis). */
export const FRAMES_QUEUE = 'frames';

export interface RemoteFrameJob {
  cameraId: string;
  /** JPEG, base64. */
  jpeg: string;
  width: number;
  height: number;
}

export interface RemoteFrameResult {
  objects: DetectedObject[];
  plates: PlateReading[];
  workerMs: number;
}
