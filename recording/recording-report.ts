import { labelValue } from '../api/kernel/metrics/metrics-registry.ts';
import type { RecordingIndex } from './recording-index.ts';
import type { RecordingStorage, VolumeFigures } from './recording-storage.ts';

const DAY_MS = 86_400_000;

export interface CameraRecordingFigures {
  cameraId: string;
  bytes: number;
  segments: number;
  oldestAt: number | null;
  newestAt: number | null;
  /** Days between the oldest and the newest recorded video. */
  daysKept: number;
  gaps: number;
}

export interface RecordingReport {
  at: number;
  volume: VolumeFigures;
  cameras: CameraRecordingFigures[];
}

/** Storage figures: the volume and, per camera, bytes, days kept and gaps (dashboard JSON and /metrics). */
export async function recordingReport(index: RecordingIndex, storage: RecordingStorage): Promise<RecordingReport> {
  const [cameras, gaps, volume] = await Promise.all([index.storageByCamera(), index.gapCounts(), storage.figures()]);
  const ids = new Set([...cameras.map((c) => c.cameraId), ...gaps.keys()]);
  const byId = new Map(cameras.map((c) => [c.cameraId, c]));
  return {
    at: Date.now(), volume,
    cameras: [...ids].sort().map((cameraId) => {
      const c = byId.get(cameraId);
      const daysKept = c?.oldestAt != null && c.newestAt != null ? Math.round(((c.newestAt - c.oldestAt) / DAY_MS) * 100) / 100 : 0;
      return { cameraId, bytes: c?.bytes ?? 0, segments: c?.segments ?? 0, oldestAt: c?.oldestAt ?? null, newestAt: c?.newestAt ?? null, daysKept, gaps: gaps.get(cameraId) ?? 0 };
    }),
  };
}

function gauge(name: string, help: string, samples: Array<[string | undefined, number]>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`];
  for (const [camera, value] of samples) lines.push(`${name}${camera === undefined ? '' : `{camera_id="${labelValue(camera)}"}`} ${Number.isFinite(value) ? value : 0}`);
  return lines.join('\n');
}

export function recordingMetrics(report: RecordingReport): string {
  return [
    gauge('hub_recording_bytes', 'Bytes of recorded video kept per camera', report.cameras.map((c) => [c.cameraId, c.bytes])),
    gauge('hub_recording_days_kept', 'Days between the oldest and newest recording per camera', report.cameras.map((c) => [c.cameraId, c.daysKept])),
    gauge('hub_recording_gaps', 'Gaps (camera drop, hub restart, missing segment) recorded per camera', report.cameras.map((c) => [c.cameraId, c.gaps])),
    gauge('hub_recording_volume_recorded_bytes', 'Bytes of all recordings on the recordings volume', [[undefined, report.volume.recordedBytes]]),
    gauge('hub_recording_volume_free_bytes', 'Free bytes on the recordings volume', [[undefined, report.volume.freeBytes]]),
  ].join('\n') + '\n';
}
