import type { PassRow } from './pass-record.ts';

/** Plate colours as GA/T 1400 colour codes (after GA 24.8): 1 black, 2 white, 5 blue, 6 yellow, 9 green, 99 other. */
const COLOUR_CODES: Record<string, string> = { black: '1', white: '2', blue: '5', yellow: '6', green: '9' };

/** GA/T 1400 times are local "YYYYMMDDhhmmss"; the standard's deployments use China time (UTC+8). */
export function gat1400Time(epochMs: number): string {
  const d = new Date(epochMs + 8 * 3_600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

export interface MotorVehicleObject {
  MotorVehicleID: string;
  InfoKind: number;
  SourceID: string;
  DeviceID: string;
  PassTime: string;
  HasPlate: string;
  PlateNo: string;
  PlateColor: string;
  PlateReliability: string;
  PlateCharReliability: string;
  VehicleClass?: string;
  VehicleColor?: string;
  LaneNo?: number;
  Direction?: string;
  StorageUrl1?: string;
  StorageUrl2?: string;
}

/**
 * One pass as a GA/T 1400 MotorVehicle object. Reliabilities are 0–100 strings; per-character reliability is
 * "char-value" pairs joined by commas, as the standard writes it. Image URLs point at this hub's authorized
 * image routes (StorageUrl1 = scene, StorageUrl2 = plate crop).
 */
export function toMotorVehicle(row: PassRow, baseUrl: string): MotorVehicleObject {
  const chars = [...row.plate];
  const confidences = JSON.parse(row.char_confidences) as number[];
  const object: MotorVehicleObject = {
    MotorVehicleID: row.id,
    InfoKind: 1,
    SourceID: row.id,
    DeviceID: row.camera_id,
    PassTime: gat1400Time(Number(row.passed_at)),
    HasPlate: '1',
    PlateNo: row.plate,
    PlateColor: COLOUR_CODES[row.plate_colour] ?? '99',
    PlateReliability: String(Math.round(Number(row.plate_confidence) * 100)),
    PlateCharReliability: chars.map((c, i) => `${c}-${Math.round((confidences[i] ?? 0) * 100)}`).join(','),
  };
  if (row.vehicle_class !== null) object.VehicleClass = row.vehicle_class;
  if (row.vehicle_colour !== null) object.VehicleColor = row.vehicle_colour;
  if (row.lane !== null) object.LaneNo = row.lane;
  if (row.direction !== null) object.Direction = row.direction;
  if (row.scene_image_path !== null) object.StorageUrl1 = `${baseUrl}/api/v1/checkpoint/passes/${encodeURIComponent(row.id)}/scene`;
  if (row.crop_image_path !== null) object.StorageUrl2 = `${baseUrl}/api/v1/checkpoint/passes/${encodeURIComponent(row.id)}/crop`;
  return object;
}

export function motorVehicleList(rows: PassRow[], baseUrl: string) {
  return { MotorVehicleListObject: { MotorVehicleObject: rows.map((row) => toMotorVehicle(row, baseUrl)) } };
}
