/** Tables owned by the analytics feature (see migration 0005_analytics). */

/** A crowd-counting zone of one camera: a polygon in normalised 0..1 frame coordinates. */
export interface AnalyticsZonesTable {
  camera_id: string;
  zone_id: string;
  name: string;
  /** JSON array of {x,y} in 0..1 (x across, y down). */
  polygon: string;
  /** A crowd alert fires when the count stays above this... */
  threshold: number;
  /** ...for this many seconds. */
  duration_seconds: number;
  /** Real ground area of the zone, when calibrated: enables people-per-m² alerts (migration 0019). */
  area_square_metres: number | null;
  /** People per m² above which the zone alerts (needs the area). */
  density_threshold: number | null;
  updated_at: number;
}

/** Person count of one zone (or '_all' = the whole frame) over one sample interval: the peak seen. */
export interface CrowdSamplesTable {
  camera_id: string;
  zone_id: string;
  at: number;
  count: number;
}

/** One episode of a zone staying above its threshold for its duration. */
export interface CrowdAlertsTable {
  id: string;
  camera_id: string;
  zone_id: string;
  /** When the count first went above the threshold. */
  started_at: number;
  /** When the duration was reached and the alert raised. */
  raised_at: number;
  /** When the count fell back to the threshold or below; null while it lasts. */
  ended_at: number | null;
  threshold: number;
  peak_count: number;
  /** What raised it: 'count' or 'density' (people per m²); null for alerts before migration 0019. */
  trigger: string | null;
}

export interface AnalyticsTables {
  analytics_zones: AnalyticsZonesTable;
  crowd_samples: CrowdSamplesTable;
  crowd_alerts: CrowdAlertsTable;
}
