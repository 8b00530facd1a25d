import type { DetectedObject } from '../detect/object-detector.ts';
import type { PlateReading } from '../plates/plate-reading.ts';
/** A job of the frames queue (api/kernel/redis/queue-catalogue.ts): JPEG-encoded, raw frames never go to Redis. */
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
