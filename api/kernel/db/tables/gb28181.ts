import type { CameraCategory } from './core.ts';

/** Tables owned by the GB/T 28181 feature (migration 0016_gb28181). */

export type GbDeviceStatus = 'unknown' | 'online' | 'offline';

/** A device or lower platform that registers over SIP; its 20-digit ID is the key. */
export interface GbDevicesTable {
  id: string;
  /** Owner of the cameras made from its channels; null until an admin sets it. */
  department_id: string | null;
  category: CameraCategory;
  name: string | null;
  /** Its own REGISTER password, sealed; null = the platform-wide one. */
  password_enc: string | null;
  transport: 'udp' | 'tcp';
  /** How live video comes: RTP over UDP, or over TCP with us listening (passive; the device connects). */
  stream_mode: 'udp' | 'tcp-passive' | 'tcp-active';
  /** Where it really is (Via received/rport or the source address). */
  address: string | null;
  port: number | null;
  status: GbDeviceStatus;
  charset: 'GB2312' | 'UTF-8';
  register_call_id: string | null;
  expires_s: number | null;
  registered_at: number | null;
  last_keepalive_at: number | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  created_at: number;
  updated_at: number;
}

/** One channel of a device's catalogue (the 20-digit channel ID is the key). */
export interface GbChannelsTable {
  id: string;
  device_id: string;
  name: string;
  civil_code: string | null;
  address: string | null;
  manufacturer: string | null;
  model: string | null;
  parent_id: string | null;
  /** Info/PTZType: 1 dome, 2 half-dome, 3 fixed bullet, 4 remote bullet … */
  ptz_type: number | null;
  status: 'ON' | 'OFF';
  lon: number | null;
  lat: number | null;
  /** The hub camera made from it, once its device has an owner department. */
  camera_id: string | null;
  updated_at: number;
}

/** A camera shared upward to the upper platform (migration 0017). */
export interface GbUpperSharesTable {
  camera_id: string;
  /** The user (approver of the owning department, or admin) who shared it. */
  approved_by: string;
  approved_at: number;
  /** 1: the upper may move the camera (DeviceControl relayed to the device). */
  ptz: number;
  /** 1: the upper may list the device's recordings (RecordInfo relayed to the device). */
  playback: number;
}

export interface Gb28181Tables {
  gb_devices: GbDevicesTable;
  gb_channels: GbChannelsTable;
  gb_upper_shares: GbUpperSharesTable;
}
