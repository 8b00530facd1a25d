import { DomainError } from '../../kernel/errors/domain-error.ts';
import { normalisePlate } from '../../../analytics/vocabulary/plate-text.ts';
import type { PlateColour } from '../../../analytics/vocabulary/plate-vocabulary.js';
import { colourWord, directionWord, IMAGE_TYPES, plateColourOf, VEHICLE_CLASS_CODE } from './code-tables.ts';
import { DEVICE_ID, OBJECT_ID } from './viid-ids.ts';
import { parseViidTime } from './viid-time.ts';

/**
 * Where one picture of a received vehicle comes from: inline base64, a URL on the peer's side, or an inline
 * picture a writer thread decoded already while parsing the push (its index among the push's pictures).
 */
export type ImageSource = { data: string } | { url: string } | { picture: number };

/** A MotorVehicleObject as received, checked and reduced to what a pass stores. */
export interface ReceivedVehicle {
  motorVehicleId: string;
  deviceId: string;
  tollgateId?: string;
  passedAt: number;
  /** '' when the vehicle has no plate (HasPlate 0): still a pass. */
  plate: string;
  plateColour: PlateColour;
  plateConfidence: number;
  charConfidences: number[];
  vehicleClass?: string;
  vehicleColour?: string;
  lane?: number;
  direction?: string;
  box?: { x1: number; y1: number; x2: number; y2: number };
  /** Plate close-up (our crop) and the scene. */
  crop?: ImageSource;
  scene?: ImageSource;
}

/** Plate texts devices send for "no plate read". */
const NO_PLATE = new Set(['', '无牌', '无车牌', '未识别', '未知', '车牌', '-', '无']);

const fail = (message: string) => new DomainError('VIID_OBJECT_INVALID', message);

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function reliability(value: unknown, field: string): number | undefined {
  const raw = text(value);
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 100) throw fail(`${field} must be 0..100`);
  return n / 100;
}

function hasPlateOf(value: unknown, plateText: string | undefined): boolean {
  if (value === undefined || value === null || value === '') return plateText !== undefined && !NO_PLATE.has(plateText);
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 0 || value === '0' || value === 'false') return false;
  throw fail('HasPlate must be 1/0 or true/false');
}

/** Per-character reliabilities "苏-80,B-90,…" in plate order; missing ones take the plate's reliability. */
function charReliabilities(value: unknown, plate: string, fallback: number): number[] {
  const chars = [...plate];
  const raw = text(value);
  const parsed = raw ? raw.split(',').map((pair) => Number(pair.slice(pair.lastIndexOf('-') + 1)) / 100) : [];
  return chars.map((_, i) => {
    const v = parsed[i];
    return v !== undefined && Number.isFinite(v) && v >= 0 && v <= 1 ? v : fallback;
  });
}

function coordinate(value: unknown): number | undefined {
  const raw = text(value);
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= 100_000 ? n : undefined;
}

interface SubImage { Type?: unknown; Data?: unknown; StoragePath?: unknown }

function subImagesOf(list: unknown): SubImage[] {
  const inner = Array.isArray(list) ? list : (list as { SubImageInfoObject?: unknown } | undefined)?.SubImageInfoObject;
  if (inner === undefined || inner === null) return [];
  if (!Array.isArray(inner)) throw fail('SubImageList.SubImageInfoObject must be an array');
  if (inner.length > 16) throw fail('at most 16 SubImageInfoObjects per vehicle');
  return inner.filter((item): item is SubImage => typeof item === 'object' && item !== null);
}

function sourceOf(image: SubImage | undefined): ImageSource | undefined {
  if (!image) return undefined;
  if (typeof image.Data === 'string' && image.Data.length > 0) return { data: image.Data };
  const path = text(image.StoragePath);
  return path && /^https?:\/\//i.test(path) ? { url: path } : undefined;
}

function urlOf(object: Record<string, unknown>, ...fields: string[]): ImageSource | undefined {
  for (const field of fields) {
    const url = text(object[field]);
    if (url && /^https?:\/\//i.test(url)) return { url };
  }
  return undefined;
}

/**
 * Checks one MotorVehicleObject and reduces it to a received vehicle: 48-digit MotorVehicleID, 20-digit
 * DeviceID, PassTime, the plate (or none, HasPlate 0), colour and class codes, reliabilities, box, lane,
 * direction and where its plate close-up and scene pictures are. Throws VIID_OBJECT_INVALID / VIID_TIME_INVALID.
 */
export function parseMotorVehicle(raw: unknown): ReceivedVehicle {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('a MotorVehicleObject must be an object');
  const o = raw as Record<string, unknown>;
  const motorVehicleId = text(o.MotorVehicleID) ?? '';
  if (!OBJECT_ID.test(motorVehicleId)) throw fail(`MotorVehicleID must be 48 digits (got ${motorVehicleId.length} characters)`);
  const deviceId = text(o.DeviceID) ?? '';
  if (!DEVICE_ID.test(deviceId)) throw fail(`DeviceID must be 20 digits (got ${deviceId.length} characters)`);
  const tollgateId = text(o.TollgateID);
  if (tollgateId && !DEVICE_ID.test(tollgateId)) throw fail('TollgateID must be 20 digits');
  const passedAt = parseViidTime(o.PassTime ?? o.AppearTime ?? o.MarkTime, 'PassTime');

  const plateText = text(o.PlateNo);
  const hasPlate = hasPlateOf(o.HasPlate, plateText);
  let plate = '';
  if (hasPlate && plateText !== undefined && !NO_PLATE.has(plateText)) {
    plate = normalisePlate(plateText) ?? '';
    if (!plate) throw fail('PlateNo must be 2–10 letters, digits or Chinese characters');
  }
  const plateConfidence = plate ? reliability(o.PlateReliability, 'PlateReliability') ?? 0 : 0;

  const images = subImagesOf(o.SubImageList);
  const ofType = (...types: string[]) => images.find((image) => types.includes(text(image.Type) ?? ''));
  const laneText = text(o.LaneNo);
  const lane = laneText === undefined || laneText === '' ? undefined : Number(laneText);
  if (lane !== undefined && (!Number.isInteger(lane) || lane < 0 || lane > 99)) throw fail('LaneNo must be 0..99');
  const vehicleClass = text(o.VehicleClass);
  const [x1, y1, x2, y2] = [o.LeftTopX, o.LeftTopY, o.RightBtmX, o.RightBtmY].map(coordinate);

  return {
    motorVehicleId, deviceId, tollgateId: tollgateId || undefined, passedAt, plate,
    plateColour: plate ? plateColourOf(o.PlateColor) : 'unknown',
    plateConfidence,
    charConfidences: plate ? charReliabilities(o.PlateCharReliability, plate, plateConfidence) : [],
    vehicleClass: vehicleClass && VEHICLE_CLASS_CODE.test(vehicleClass) ? vehicleClass : undefined,
    vehicleColour: colourWord(o.VehicleColor),
    lane,
    direction: directionWord(o.Direction),
    box: x1 !== undefined && y1 !== undefined && x2 !== undefined && y2 !== undefined && x2 > x1 && y2 > y1 ? { x1, y1, x2, y2 } : undefined,
    crop: sourceOf(ofType(IMAGE_TYPES.plateColour, IMAGE_TYPES.plateBinary)) ?? urlOf(o, 'StorageUrl2'),
    scene: sourceOf(ofType(IMAGE_TYPES.scene, IMAGE_TYPES.vehicle, IMAGE_TYPES.closeUp, IMAGE_TYPES.general)) ?? urlOf(o, 'StorageUrl3', 'StorageUrl1', 'StorageUrl4'),
  };
}
