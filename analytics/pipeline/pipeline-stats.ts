/** Counters of one analysed camera. */
export interface CameraCounters {
  /** Frames ffmpeg delivered at the sample rate. */
  sampled: number;
  /** Skipped by the motion gate (static scene). */
  gated: number;
  /** Lost to back-pressure: no free frame buffer, or dropped oldest from the inference queue. */
  dropped: number;
  /** Of `dropped`: frames ffmpeg delivered while every frame buffer was busy (never sampled, so not in `sampled`). */
  droppedNoBuffer: number;
  /** Analysed by a worker. */
  inferred: number;
  /** Analysis failed (worker crash twice, model error, pool closed). */
  failed: number;
  /** Passes closed and handed to the pass queue. */
  passes: number;
  /** Passes whose hand-over failed (images or queue); logged. */
  passErrors: number;
}

export const emptyCounters = (): CameraCounters => ({ sampled: 0, gated: 0, dropped: 0, droppedNoBuffer: 0, inferred: 0, failed: 0, passes: 0, passErrors: 0 });

export interface CameraStats extends CameraCounters {
  cameraId: string;
  running: boolean;
  restarts: number;
  /** The sampler's last ffmpeg error line ('' when none); credentials and URL signatures removed. */
  lastError: string;
  openPasses: number;
  /** Frame buffers free in the camera's ring. */
  freeBuffers: number;
}
