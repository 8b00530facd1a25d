/** Tables owned by the checkpoint feature (see migrations 0002_checkpoint). */

/** One vehicle pass, shaped after GA/T 1400's MotorVehicle object. */
export interface CheckpointPassesTable {
  /** Caller-supplied id: a retried batch inserts nothing twice. */
  id: string;
  camera_id: string;
  passed_at: number;
  /** Upper-case plate as read, e.g. 京A12345. */
  plate: string;
  /** Plate with OCR-confusable characters folded to one representative (0/D/Q→0, 8/B→8, …), for fuzzy search. */
  plate_folded: string;
  plate_colour: string;
  /** 0..1 */
  plate_confidence: number;
  /** JSON array of per-character confidences 0..1. */
  char_confidences: string;
  vehicle_class: string | null;
  vehicle_colour: string | null;
  lane: number | null;
  direction: string | null;
  /** JSON of detection boxes (vehicle, plate). */
  boxes: string | null;
  /** Paths relative to <dataDir>/images. */
  crop_image_path: string | null;
  scene_image_path: string | null;
  ingested_at: number;
}

export interface CheckpointWatchlistTable {
  id: string;
  /** Exact plate, or a pattern with * (any run) and ? (one character). */
  plate_pattern: string;
  match_kind: 'exact' | 'pattern';
  reason: string;
  owner_user_id: string;
  owner_department_id: string;
  valid_from: number;
  valid_until: number;
  created_at: number;
  removed_at: number | null;
  removed_by: string | null;
}

export interface CheckpointAlertsTable {
  id: string;
  watchlist_id: string;
  pass_id: string;
  plate: string;
  camera_id: string;
  passed_at: number;
  raised_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  ack_note: string | null;
}

export interface CheckpointFindingsTable {
  id: string;
  kind: 'impossible_speed' | 'colour_mismatch';
  plate: string;
  pass_a_id: string;
  pass_b_id: string;
  /** JSON copies of both passes: the evidence outlives pass retention. */
  evidence: string;
  distance_km: number | null;
  speed_kmh: number | null;
  detected_at: number;
}

export interface CheckpointSubscriptionsTable {
  id: string;
  subscriber: string;
  organisation: string;
  reason: string;
  receiver_url: string;
  /** JSON array of camera ids, or null for every camera. */
  camera_ids: string | null;
  begin_at: number;
  end_at: number;
  created_by: string;
  created_at: number;
  cancelled_at: number | null;
  /** The upper platform or upstream 视图库 that subscribed (GA/T 1400 ID); null = made by an admin. */
  peer_id: string | null;
  title: string | null;
  /** SubscribeDetail: comma list of categories (13 = motor vehicles). */
  detail: string;
  /** ResourceURI as sent: the device/tollgate IDs covered (comma list), or empty for all the subscriber may see. */
  resource_uri: string | null;
  report_interval: number | null;
  result_image_declare: string | null;
  /** Whose visibility rules apply to what is pushed (the peer's owner department); null = every camera (admin). */
  department_id: string | null;
  updated_at: number | null;
}

export interface CheckpointDeliveriesTable {
  id: string;
  /** alert: signed JSON webhook; subscription: GA/T 1400 notification; cascade: MotorVehicles pushed to the upstream 视图库. */
  kind: 'alert' | 'subscription' | 'cascade';
  target_url: string;
  subscription_id: string | null;
  /** The exact JSON body that is signed and sent. */
  payload: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  delivered_at: number | null;
  failed_at: number | null;
  created_at: number;
  /** GA/T 1400 notifications: the StatusCode of the receiver's last ResponseStatusListObject. */
  status_code: number | null;
}

export interface CheckpointTables {
  checkpoint_passes: CheckpointPassesTable;
  checkpoint_watchlist: CheckpointWatchlistTable;
  checkpoint_alerts: CheckpointAlertsTable;
  checkpoint_findings: CheckpointFindingsTable;
  checkpoint_subscriptions: CheckpointSubscriptionsTable;
  checkpoint_deliveries: CheckpointDeliveriesTable;
}
