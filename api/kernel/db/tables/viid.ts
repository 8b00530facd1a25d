/** Tables owned by the viid feature (GA/T 1400 视图库; migration 0009_viid). */

export type ViidPeerKind = 'device' | 'platform';
export type ViidPeerStatus = 'unregistered' | 'online' | 'offline';

/** A 卡口 device or platform allowed to register with us by HTTP Digest. */
export interface ViidPeersTable {
  /** Its 20-digit GA/T 1400 ID (the digest username and the User-Identify it sends). */
  id: string;
  kind: ViidPeerKind;
  name: string;
  /** Owner department: the cameras created for its devices belong to it. */
  department_id: string;
  /** Digest password, sealed with the credentials key (never returned). */
  password_enc: string;
  disabled: number;
  status: ViidPeerStatus;
  registered_at: number | null;
  registered_from: string | null;
  last_seen_at: number | null;
  /** Where we reach it (http(s)://host:port, no /VIID): set for the lower platforms and devices we subscribe to. */
  base_url: string | null;
  /** Digest username we register with at it (a lower 视图库 we subscribe to); null = our server ID. */
  register_username: string | null;
  /** Digest password we register with at it, sealed; null = we do not register there. */
  register_password_enc: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** The national IDs (cameras, tollgates) a peer may report for. */
export interface ViidPeerDevicesTable {
  peer_id: string;
  national_id: string;
}

/** A 卡口 site as a peer reported it (TollgateObject). */
export interface ViidTollgatesTable {
  id: string;
  peer_id: string;
  department_id: string;
  name: string;
  lat: number | null;
  lon: number | null;
  place_code: string | null;
  category: string | null;
  usage: string | null;
  lane_count: number | null;
  status: string | null;
  updated_at: number;
}

/** One lane of a tollgate (LaneObject). */
export interface ViidLanesTable {
  tollgate_id: string;
  lane_no: number;
  lane_id: string | null;
  name: string | null;
  direction: string | null;
  description: string | null;
  max_speed: number | null;
  ape_id: string | null;
  updated_at: number;
}

/** pending: being sent; retrying: refused or unanswered, sent again after a backoff; refused: given up (its end passed). */
export type IssuedSubscriptionStatus = 'pending' | 'active' | 'retrying' | 'refused' | 'cancelled';

/** A subscription we issued to a lower 视图库 (POST /VIID/Subscribes on it, our SubscribeID). */
export interface ViidIssuedSubscriptionsTable {
  /** Our SubscribeID (33 characters: 12-digit organisation code + 03 + YYYYMMDDhhmmss + 5-digit serial). */
  id: string;
  peer_id: string;
  title: string;
  /** SubscribeDetail: 13 = motor vehicles. */
  detail: string;
  /** ResourceURI: the lower one's device/tollgate IDs (comma list), or null for all it has. */
  resource_uri: string | null;
  begin_at: number;
  end_at: number;
  report_interval: number | null;
  /** Our notification endpoint as sent (ReceiveAddr). */
  receive_addr: string;
  status: IssuedSubscriptionStatus;
  /** StatusCode the lower one answered to the last subscribe or cancel (null: no answer). */
  status_code: number | null;
  status_text: string | null;
  notifications: number;
  objects: number;
  last_notified_at: number | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  cancelled_at: number | null;
}

export interface ViidTables {
  viid_peers: ViidPeersTable;
  viid_peer_devices: ViidPeerDevicesTable;
  viid_tollgates: ViidTollgatesTable;
  viid_lanes: ViidLanesTable;
  viid_issued_subscriptions: ViidIssuedSubscriptionsTable;
}
