import type { Generated } from 'kysely';
/** Tables owned by the recording feature (see migration 0012_recording). */

export type RecordingMode = 'off' | 'continuous' | 'scheduled' | 'events';
export type RecordingEventKind = 'motion' | 'plate' | 'watchlist' | 'crowd';
export type RecordingSegmentFormat = 'mpegts' | 'fmp4';
/** complete: closed normally; partial: cut short (crash) and kept as far as it is readable; repaired: a cut segment trimmed to whole packets; missing: the file went away behind the hub's back. */
export type RecordingSegmentState = 'complete' | 'partial' | 'repaired' | 'missing';

/** What a camera records, set by its owner department. */
export interface RecordingPlansTable {
  camera_id: string;
  mode: RecordingMode;
  /** JSON weekly table: `{ "mon": [["08:00","18:00"]], … }` in China time (mode 'scheduled'). */
  schedule: string;
  /** JSON list of RecordingEventKind (mode 'events'). */
  events: string;
  pre_roll_s: number;
  post_roll_s: number;
  /** Days kept for this camera; null = the volume default (`recording.retentionDays`). */
  retention_days: number | null;
  updated_by: string;
  updated_at: number;
}

/** One recorded file: a stream copy of 2–10 s of the camera's video. */
export interface RecordingSegmentsTable {
  id: string;
  camera_id: string;
  /** Epoch ms, wall clock of the first frame. */
  started_at: number;
  ended_at: number;
  duration_ms: number;
  bytes: number;
  /** Relative to `<dataDir>/recordings`, forward slashes. */
  path: string;
  format: RecordingSegmentFormat;
  /** JSON array of key frame offsets in ms from started_at. */
  keyframes: string;
  state: RecordingSegmentState;
  created_at: number;
}

/** A time a recording camera has no video for (camera drop, disk full, hub down). */
export interface RecordingGapsTable {
  id: string;
  camera_id: string;
  from_at: number;
  /** While `ongoing`, when the drop was noticed; after, when video came back. */
  to_at: number;
  reason: string;
  /** 1 while the camera is still down (the gap has no end yet). */
  ongoing: Generated<number>;
}

export interface RecordingTables {
  recording_plans: RecordingPlansTable;
  recording_segments: RecordingSegmentsTable;
  recording_gaps: RecordingGapsTable;
}
