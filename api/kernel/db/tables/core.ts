import type { Generated } from 'kysely';

export type Role = 'admin' | 'approver' | 'viewer' | 'auditor';
export type DepartmentKind = 'public_security' | 'traffic' | 'community' | 'government_other' | 'other';
export type CameraCategory = 'public_security' | 'traffic' | 'community' | 'other';
export type CameraStatus = 'unknown' | 'online' | 'offline' | 'auth_failed';
export type CameraScope = 'live' | 'snapshot' | 'ptz' | 'events' | 'playback';

/** How far back a grant's `playback` scope reaches: no limit, only the grant's own window, or the last N days. */
export type PlaybackLookback = 'none' | 'window' | 'days';

export interface DepartmentsTable {
  id: string;
  name: string;
  kind: DepartmentKind;
  /** 1 for government departments: the "100% shared" target counts their cameras. */
  is_government: number;
  created_at: number;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  department_id: string;
  role: Role;
  password_hash: string;
  /** 1 for duty officers, who may take a time-boxed emergency grant. */
  duty_officer: number;
  disabled: number;
  created_at: number;
}

export interface CamerasTable {
  id: string;
  name: string;
  department_id: string;
  category: CameraCategory;
  lat: number | null;
  lon: number | null;
  address: string | null;
  /** Stream URLs are stored without credentials; those live encrypted in credentials_enc. */
  stream_url: string;
  sub_stream_url: string | null;
  snapshot_url: string | null;
  onvif_xaddr: string | null;
  credentials_enc: string | null;
  status: CameraStatus;
  last_seen_at: number | null;
  status_changed_at: number | null;
  ptz: number;
  analytics_enabled: number;
  /**
   * gat1400: a 卡口 device that pushes its passes over GA/T 1400 (no stream: stream_url is empty, nothing pulls or probes it);
   * gb28181: a national channel reached through its device's registration.
   */
  source: 'manual' | 'onvif' | 'csv' | 'demo' | 'gb28181' | 'gat1400';
  /** National 20-digit device code (GB/T 28181 / GA/T 1400 DeviceID), unique where set (migration 0008). */
  national_id: string | null;
  created_at: number;
  updated_at: number;
}

/** What an access request or a grant covers: the columns both tables have, in the same stored form. */
export interface AccessTargetColumns {
  owner_department_id: string;
  target_kind: 'cameras' | 'category' | 'area';
  /** JSON array of camera ids when target_kind = cameras. */
  camera_ids: string | null;
  category: CameraCategory | null;
  /** JSON bounding box {minLat,minLon,maxLat,maxLon} when target_kind = area. */
  area: string | null;
  /** JSON array of CameraScope. */
  scopes: string;
  /** Limit of the playback scope (migration 0013); null when the scope is not asked for. */
  playback_lookback: PlaybackLookback | null;
  /** Days back from now when playback_lookback = 'days'. */
  playback_days: number | null;
}

export interface AccessRequestsTable extends AccessTargetColumns {
  id: string;
  requester_user_id: string;
  requester_department_id: string;
  purpose: string;
  legal_basis: string;
  starts_at: number;
  ends_at: number;
  status: 'pending' | 'approved' | 'rejected' | 'cancelled';
  decided_by: string | null;
  decided_at: number | null;
  decision_reason: string | null;
  created_at: number;
}

export interface GrantsTable extends AccessTargetColumns {
  id: string;
  request_id: string | null;
  grantee_department_id: string;
  starts_at: number;
  ends_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  emergency: number;
  emergency_reason: string | null;
  reviewed_at: number | null;
  created_by: string;
  created_at: number;
  /** When a node's expiry sweep claimed the announcement of this grant's end by time (migration 0029). */
  expiry_announced_at: number | null;
}

export interface AuditEventsTable {
  seq: Generated<number>;
  id: string;
  at: number;
  user_id: string | null;
  username: string | null;
  department_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: 'ok' | 'denied' | 'failed';
  reason: string | null;
  client_ip: string | null;
  /** JSON object with action-specific facts; never secrets. */
  details: string | null;
  prev_hash: string;
  /** Id of the audit key the hash is an HMAC under; null for events chained before keying (plain SHA-256). */
  key_id: string | null;
  hash: string;
}

export interface CoreTables {
  departments: DepartmentsTable;
  users: UsersTable;
  cameras: CamerasTable;
  access_requests: AccessRequestsTable;
  grants: GrantsTable;
  audit_events: AuditEventsTable;
}
