import type { PassRow } from '../../checkpoint/pass-record.ts';
import { colourCode, directionCode, IMAGE_TYPES, plateClassCode, vehicleClassCode } from './code-tables.ts';
import { imageIdFor, motorVehicleIdFor, nationalIdFor, OBJECT_ID, TYPE_CODES } from './viid-ids.ts';
import { viidTime } from './viid-time.ts';

export interface SubImageInfo {
  ImageID: string;
  EventSort: number;
  DeviceID: string;
  StoragePath: string;
  Type: string;
  FileFormat: 'Jpeg';
  ShotTime: string;
  Width: number;
  Height: number;
  Data?: string;
}

/** GA/T 1400 part 3 MotorVehicleObject, as the hub emits it (export, query, notifications, cascade). */
export interface MotorVehicleObject {
  MotorVehicleID: string;
  InfoKind: number;
  SourceID: string;
  DeviceID: string;
  TollgateID?: string;
  PassTime: string;
  HasPlate: string;
  PlateClass: string;
  PlateNo?: string;
  PlateColor: string;
  PlateReliability: string;
  PlateCharReliability?: string;
  VehicleClass: string;
  VehicleColor: string;
  LaneNo?: number;
  Direction?: string;
  LeftTopX?: number;
  LeftTopY?: number;
  RightBtmX?: number;
  RightBtmY?: number;
  StorageUrl1?: string;
  StorageUrl2?: string;
  StorageUrl3?: string;
  SubImageList?: { SubImageInfoObject: SubImageInfo[] };
}

export interface MotorVehicleContext {
  /** The camera's national ID (cameras.national_id), or null: then one is derived from civilCode. */
  nationalId: string | null;
  civilCode: string;
  /** A URL a receiver can fetch the picture at (our own routes, signed URLs, …); undefined = not offered. */
  imageUrl(passId: string, image: 'crop' | 'scene'): string | undefined;
  /** Inline JPEGs (base64) when the receiver wants the bytes rather than URLs. */
  imageData?: { crop?: Buffer; scene?: Buffer };
}

/** The 20-digit DeviceID of a camera: its stored national ID, else derived deterministically from the camera id. */
export function deviceIdOf(cameraId: string, nationalId: string | null, civilCode: string): string {
  return nationalId ?? nationalIdFor(civilCode, TYPE_CODES.ape, cameraId);
}

interface StoredBoxes { vehicle?: { x1: number; y1: number; x2: number; y2: number } | null; frame?: { width: number; height: number }; tollgateId?: string | null }

/**
 * One pass as a MotorVehicleObject. IDs: a pass received over GA/T 1400 keeps its 48-digit MotorVehicleID
 * (it is the pass id); for our own passes SourceID is the scene image's 41-digit ID and MotorVehicleID is
 * derived from it, both deterministic from the pass id (the internal id stays the key). Codes from the code
 * tables; box from the stored vehicle box; SubImageList has the plate crop (02) and the scene (14).
 */
export function toMotorVehicleObject(row: PassRow, c: MotorVehicleContext): MotorVehicleObject {
  const deviceId = deviceIdOf(row.camera_id, c.nationalId, c.civilCode);
  const passedAt = Number(row.passed_at);
  const received = OBJECT_ID.test(row.id);
  const sourceId = received ? row.id.slice(0, 41) : imageIdFor(deviceId, passedAt, `${row.id}:scene`);
  const hasPlate = row.plate !== '';
  const confidences = JSON.parse(row.char_confidences) as number[];
  const boxes = (row.boxes ? JSON.parse(row.boxes) : null) as StoredBoxes | null;
  const object: MotorVehicleObject = {
    MotorVehicleID: received ? row.id : motorVehicleIdFor(sourceId, row.id),
    InfoKind: 1,
    SourceID: sourceId,
    DeviceID: deviceId,
    PassTime: viidTime(passedAt),
    HasPlate: hasPlate ? '1' : '0',
    PlateClass: plateClassCode(row.plate, row.plate_colour),
    PlateColor: colourCode(row.plate_colour),
    PlateReliability: String(Math.round(Number(row.plate_confidence) * 100)),
    VehicleClass: vehicleClassCode(row.vehicle_class),
    VehicleColor: colourCode(row.vehicle_colour),
  };
  if (hasPlate) {
    object.PlateNo = row.plate;
    object.PlateCharReliability = [...row.plate].map((ch, i) => `${ch}-${Math.round((confidences[i] ?? 0) * 100)}`).join(',');
  }
  if (boxes?.tollgateId) object.TollgateID = boxes.tollgateId;
  if (row.lane !== null) object.LaneNo = row.lane;
  const direction = directionCode(row.direction);
  if (direction) object.Direction = direction;
  const box = boxes?.vehicle;
  if (box) Object.assign(object, { LeftTopX: Math.round(box.x1), LeftTopY: Math.round(box.y1), RightBtmX: Math.round(box.x2), RightBtmY: Math.round(box.y2) });

  const images: SubImageInfo[] = [];
  const add = (kind: 'crop' | 'scene', type: string) => {
    const path = kind === 'crop' ? row.crop_image_path : row.scene_image_path;
    if (path === null) return undefined;
    const url = c.imageUrl(row.id, kind) ?? '';
    const data = c.imageData?.[kind];
    const image: SubImageInfo = {
      ImageID: kind === 'scene' ? sourceId : imageIdFor(deviceId, passedAt, `${row.id}:crop`),
      EventSort: 1, DeviceID: deviceId, StoragePath: url, Type: type, FileFormat: 'Jpeg', ShotTime: viidTime(passedAt),
      Width: kind === 'scene' && boxes?.frame ? boxes.frame.width : 0, Height: kind === 'scene' && boxes?.frame ? boxes.frame.height : 0,
    };
    if (data) image.Data = data.toString('base64');
    images.push(image);
    return url || undefined;
  };
  const sceneUrl = add('scene', IMAGE_TYPES.scene);
  const cropUrl = add('crop', IMAGE_TYPES.plateColour);
  // StorageUrl1 close-up (required for automatic capture: the scene is our best), 2 plate, 3 panorama.
  if (sceneUrl) object.StorageUrl1 = sceneUrl;
  if (cropUrl) object.StorageUrl2 = cropUrl;
  if (sceneUrl) object.StorageUrl3 = sceneUrl;
  if (images.length) object.SubImageList = { SubImageInfoObject: images };
  return object;
}
