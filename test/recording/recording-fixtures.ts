import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedSegment } from '../../recording/recording-index.ts';
import type { RecordingService } from '../../recording/recording-feature.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { FAST_RELAY } from '../relay/relay-fixtures.ts';

/** Features a recording test needs (no analytics: it would pull the cameras too). */
export const RECORDING_FEATURES = ['auth', 'directory', 'access', 'audit', 'dashboard', 'cameras', 'ingest', 'relay', 'recording', 'checkpoint'] as const;

/** Short segments, a fast loop, no free-space floor (the shared disk's free space is not ours to test against). */
export function recordingOverrides(recording: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...FAST_RELAY,
    // Health probes an hour apart: every RTSP session counted is the relay's.
    ingest: { healthIntervalMs: 3_600_000 },
    recording: { segmentSeconds: 2, pollMs: 200, minFreeBytes: 0, storageCheckSeconds: 1, gapMs: 2_500, ...recording },
  };
}

export function recordingOf(t: TestHub): RecordingService {
  const service = t.hub.services.recording;
  if (!service) throw new Error('recording service missing');
  return service;
}

export async function segmentsOf(t: TestHub, cameraId: string, options: { includeMissing?: boolean } = {}): Promise<RecordedSegment[]> {
  return recordingOf(t).index.segmentsBetween(cameraId, 0, Number.MAX_SAFE_INTEGER, options);
}

export function fileOf(t: TestHub, segment: RecordedSegment): string {
  return join(recordingOf(t).root, segment.path);
}

/** ffprobe's duration of a file in ms (the container's own reading, independent of our TS scan). */
export function probeDurationMs(path: string): number {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  return Math.round(Number.parseFloat(out.trim()) * 1_000);
}

/** Key frames ffprobe finds (pts ms relative to the first frame). */
export function probeKeyframesMs(path: string): number[] {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  const packets = out.split('\n').filter(Boolean).map((line) => line.split(',')).map(([pts, flags]) => ({ pts: Number(pts), key: (flags ?? '').includes('K') }));
  const first = Math.min(...packets.map((p) => p.pts));
  return packets.filter((p) => p.key).map((p) => Math.round((p.pts - first) * 1_000));
}

export const continuousPlan = { mode: 'continuous' } as const;
