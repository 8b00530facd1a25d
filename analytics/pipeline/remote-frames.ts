import type { DetectedObject } from '../detect/object-detector.ts';
import type { PlateReading } from '../plates/plate-reading.ts';
import type { DensityMap } from '../crowd/density-map.ts';

/** A density map as JSON (Redis): cells rounded to 1/10,000 of a person. */
export interface DensityJson {
  width: number;
  height: number;
  cellWidth: number;
  cellHeight: number;
  data: number[];
}

export function densityToJson(map: DensityMap): DensityJson {
  return { width: map.width, height: map.height, cellWidth: map.cellWidth, cellHeight: map.cellHeight, data: Array.from(map.data, (v) => Math.round(v * 10_000) / 10_000) };
}

export function densityFromJson(json: DensityJson | undefined): DensityMap | undefined {
  if (!json || !Array.isArray(json.data) || json.data.length !== json.width * json.height) return undefined;
  return { width: json.width, height: json.height, cellWidth: json.cellWidth, cellHeight: json.cellHeight, data: Float32Array.from(json.data) };
}
/** A job of the frames queue (api/kernel/redis/queue-catalogue.ts): JPEG-encoded, raw frames never go to Redis. */
export interface RemoteFrameJob {
  cameraId: string;
  /** JPEG, base64. */
  jpeg: string;
  width: number;
  height: number;
  /** Also run the crowd density model. */
  density?: boolean;
}

export interface RemoteFrameResult {
  objects: DetectedObject[];
  plates: PlateReading[];
  density?: DensityJson;
  workerMs: number;
}
