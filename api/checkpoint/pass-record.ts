import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Selectable } from 'kysely';
import type { CheckpointPassesTable } from '../kernel/db/tables/checkpoint.ts';
import { foldPlate, normalisePlate } from '../../analytics/vocabulary/plate-text.ts';
import { PLATE_COLOURS } from '../../analytics/vocabulary/plate-vocabulary.js';
import { PassRejectedError, type PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';

export type PassRow = Selectable<CheckpointPassesTable>;

/** The API's view of a pass (image paths stay on the server; the routes serve the images). */
export interface PassView {
  id: string;
  cameraId: string;
  passedAt: number;
  plate: string;
  plateColour: string;
  plateConfidence: number;
  charConfidences: number[];
  vehicleClass: string | null;
  vehicleColour: string | null;
  lane: number | null;
  direction: string | null;
  boxes: unknown;
  hasCrop: boolean;
  hasScene: boolean;
}

const ID = /^[A-Za-z0-9:_.-]{1,128}$/;

/** Relative paths that are already normal and cannot leave a folder: segments that do not start with a dot. */
const PLAIN_RELATIVE = /^[A-Za-z0-9_:-][A-Za-z0-9_.:-]*(?:\/[A-Za-z0-9_:-][A-Za-z0-9_.:-]*)*$/;

/** Image paths are stored relative to the images folder and may never leave it. */
export function imagePathInside(imagesDir: string, path: string | undefined, field: string): string | null {
  if (path === undefined) return null;
  // The common case (`<day>/<passId>-crop.jpg`) without resolving: a pass batch has a hundred of them.
  if (PLAIN_RELATIVE.test(path)) return path;
  const full = resolve(imagesDir, path);
  const rel = relative(imagesDir, full);
  if (!rel || rel.startsWith('..') || isAbsolute(rel) || !full.startsWith(imagesDir + sep)) {
    throw new PassRejectedError('PASS_IMAGE_PATH_INVALID', `${field} must be a file under the images folder`);
  }
  return rel;
}

/** Validates one record and turns it into a row; throws PASS_INVALID with the record index. */
export function toPassRow(record: PassRecordInput, index: number, imagesDir: string, now: number): PassRow {
  const fail = (message: string) => new PassRejectedError('PASS_INVALID', `record ${index} (${String(record.id)}): ${message}`);
  if (typeof record.id !== 'string' || !ID.test(record.id)) throw fail('id must be 1–128 characters of A-Z a-z 0-9 : _ . -');
  if (typeof record.cameraId !== 'string' || !record.cameraId) throw fail('cameraId is required');
  if (!Number.isSafeInteger(record.passedAt) || record.passedAt < 0) throw fail('passedAt must be epoch milliseconds');
  // '' = a vehicle without a plate (GA/T 1400 HasPlate 0): still a pass, never matched or compared by plate.
  const plate = record.plate === '' ? '' : typeof record.plate === 'string' ? normalisePlate(record.plate) : undefined;
  if (plate === undefined) throw fail('plate must be 2–10 letters, digits or Chinese characters, or empty for a vehicle without a plate');
  if (!PLATE_COLOURS.includes(record.plateColour)) throw fail(`plateColour must be one of ${PLATE_COLOURS.join(', ')}`);
  const unit = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
  if (!unit(record.plateConfidence)) throw fail('plateConfidence must be within 0..1');
  if (!Array.isArray(record.charConfidences) || !record.charConfidences.every(unit)) throw fail('charConfidences must be numbers within 0..1');
  if (record.lane !== undefined && (!Number.isInteger(record.lane) || record.lane < 0 || record.lane > 99)) throw fail('lane must be 0..99');
  return {
    id: record.id,
    camera_id: record.cameraId,
    passed_at: record.passedAt,
    plate,
    plate_folded: foldPlate(plate),
    plate_colour: record.plateColour,
    plate_confidence: record.plateConfidence,
    char_confidences: JSON.stringify(record.charConfidences),
    vehicle_class: record.vehicleClass ?? null,
    vehicle_colour: record.vehicleColour ?? null,
    lane: record.lane ?? null,
    direction: record.direction ?? null,
    boxes: record.boxes === undefined ? null : JSON.stringify(record.boxes),
    crop_image_path: imagePathInside(imagesDir, record.cropImagePath, 'cropImagePath'),
    scene_image_path: imagePathInside(imagesDir, record.sceneImagePath, 'sceneImagePath'),
    ingested_at: now,
  };
}

export function toPassView(row: PassRow): PassView {
  return {
    id: row.id,
    cameraId: row.camera_id,
    passedAt: Number(row.passed_at),
    plate: row.plate,
    plateColour: row.plate_colour,
    plateConfidence: Number(row.plate_confidence),
    charConfidences: JSON.parse(row.char_confidences) as number[],
    vehicleClass: row.vehicle_class,
    vehicleColour: row.vehicle_colour,
    lane: row.lane,
    direction: row.direction,
    boxes: row.boxes === null ? null : (JSON.parse(row.boxes) as unknown),
    hasCrop: row.crop_image_path !== null,
    hasScene: row.scene_image_path !== null,
  };
}
