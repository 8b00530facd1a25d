/** Tables owned by the evidence export feature (migration 0013_playback_evidence). */

export type EvidenceExportKind = 'clip' | 'still';
export type EvidenceExportState = 'queued' | 'running' | 'done' | 'failed';
/** Where the exported picture comes from; decides the scope a download needs (playback, events, snapshot). */
export type EvidenceSource = 'recording' | 'pass-image' | 'snapshot';

/** One export job: what was asked (camera, time range or pass, caption, reason), by whom, and its result. */
export interface EvidenceExportsTable {
  id: string;
  kind: EvidenceExportKind;
  camera_id: string;
  /** Clip start (kind clip) or the still's time (kind still, then to_at = from_at). */
  from_at: number;
  to_at: number;
  /** The checkpoint pass the export was picked from, if any. */
  pass_id: string | null;
  source: EvidenceSource;
  /** 1 = visible caption burned in (a clip is then re-encoded). */
  caption: number;
  reason: string;
  state: EvidenceExportState;
  /** 0..1. */
  progress: number;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  /** File name inside <dataDir>/exports/<id>/. */
  file_name: string | null;
  bytes: number | null;
  duration_ms: number | null;
  sha256: string | null;
  /** JSON manifest (camera, national id, owner, China-time range, operator, reason, SHA-256). */
  manifest: string | null;
  user_id: string;
  username: string;
  department_id: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export interface EvidenceTables {
  evidence_exports: EvidenceExportsTable;
}
