/** Tables owned by the ingest feature (see migration 0004_ingest). */

/** A device that answered a WS-Discovery probe; adoption turns it into a camera. */
export interface CameraCandidatesTable {
  id: string;
  /** wsa:EndpointReference/Address, the device's stable identity (urn:uuid:…); unique. */
  endpoint_ref: string;
  /** Device service URL (first http(s) XAddr). */
  xaddr: string;
  name: string | null;
  hardware: string | null;
  /** JSON array of the location scopes (onvif://www.onvif.org/location/…). */
  location_scopes: string;
  discovered_at: number;
  last_seen_at: number;
  adopted_camera_id: string | null;
}

/** ONVIF facts of an adopted camera that PTZ and health need (profile tokens, service URLs). */
export interface CameraOnvifTable {
  camera_id: string;
  device_xaddr: string;
  media_xaddr: string | null;
  ptz_xaddr: string | null;
  profile_token: string;
  sub_profile_token: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  /** The WS-Discovery endpoint reference the camera was adopted from (migration 0014); null before. */
  endpoint_ref: string | null;
  updated_at: number;
}

/** Every status change of a camera (online / offline / auth_failed). */
export interface CameraStatusChangesTable {
  id: string;
  camera_id: string;
  at: number;
  status: string;
  previous: string;
  reason: string | null;
}

export interface IngestTables {
  camera_candidates: CameraCandidatesTable;
  camera_onvif: CameraOnvifTable;
  camera_status_changes: CameraStatusChangesTable;
}
