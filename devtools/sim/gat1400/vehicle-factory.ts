import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COLOUR, motorVehicleId, sourceId, viidTime } from './viid-codes.ts';

const MEDIA = resolve(import.meta.dirname, '../../../media');

/** A real plate crop from media/ with the plate it shows (media/LABELS.tsv). */
export interface PlateImage {
  plate: string;
  colour: keyof typeof COLOUR;
  jpegBase64: string;
  width: number;
  height: number;
}

/** The small aligned plate crops and the strip (a few kB each: a 卡口 device's plate picture). */
export function loadPlateImages(): PlateImage[] {
  const rows = readFileSync(join(MEDIA, 'LABELS.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
  const images: PlateImage[] = [];
  for (const [file, plate, colour] of rows) {
    if (!file || !plate || !file.endsWith('.jpg')) continue;
    const bytes = readFileSync(join(MEDIA, file));
    if (bytes.length > 64 * 1024) continue;
    images.push({ plate, colour: (colour in COLOUR ? colour : 'other') as keyof typeof COLOUR, jpegBase64: bytes.toString('base64'), ...jpegSize(bytes) });
  }
  return images;
}

/** The street scene (a 1920×1080 JPEG with a car), for devices that also send the panorama. */
export function loadSceneImage(): { jpegBase64: string; width: number; height: number } {
  const bytes = readFileSync(join(MEDIA, 'plates/green_suED51712_street.jpg'));
  return { jpegBase64: bytes.toString('base64'), ...jpegSize(bytes) };
}

/** Width and height from a JPEG's SOF marker. */
export function jpegSize(bytes: Buffer): { width: number; height: number } {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) { at++; continue; }
    const marker = bytes[at + 1]!;
    const length = bytes.readUInt16BE(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return { width: 0, height: 0 };
}

const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const VEHICLE_CLASSES = ['K33', 'K33', 'K33', 'K31', 'K11', 'H11', 'M11'];
const VEHICLE_COLOURS = [COLOUR.white, COLOUR.black, COLOUR.grey, COLOUR.red, COLOUR.blue, COLOUR.other];

export interface VehicleOptions {
  deviceId: string;
  tollgateId?: string;
  laneCount?: number;
  /** Fraction of vehicles without a plate (HasPlate "0"). */
  noPlateRatio?: number;
  /** Also send the 1080p scene as SubImage type 01 (large: ~0.5 MB of base64). */
  withScene?: boolean;
  /** Plates to use instead of random ones (e.g. a watchlisted plate); the image still comes from media/. */
  plates?: string[];
}

/**
 * MotorVehicleObjects as a 卡口 device builds them: standard IDs, PassTime, box, lane and direction codes,
 * colour and class codes, reliabilities, and SubImageList entries with base64 JPEG data.
 */
export class VehicleFactory {
  private serial = 0;
  private readonly images = loadPlateImages();
  private readonly scene: ReturnType<typeof loadSceneImage> | undefined;

  constructor(private readonly options: VehicleOptions) {
    if (options.withScene) this.scene = loadSceneImage();
  }

  next(now = Date.now()): Record<string, unknown> {
    const n = this.serial++;
    const image = this.images[n % this.images.length]!;
    const hasPlate = Math.random() >= (this.options.noPlateRatio ?? 0);
    const plate = this.options.plates?.[n % this.options.plates.length] ?? (n < this.images.length ? image.plate : randomPlate());
    const source = sourceId(this.options.deviceId, now, n);
    const shotTime = viidTime(now);
    const subImages: Record<string, unknown>[] = [];
    if (hasPlate) {
      subImages.push({ ImageID: source, EventSort: 1, DeviceID: this.options.deviceId, StoragePath: '', Type: '02', FileFormat: 'Jpeg', ShotTime: shotTime, Width: image.width, Height: image.height, Data: image.jpegBase64 });
    }
    if (this.scene) {
      subImages.push({ ImageID: sourceId(this.options.deviceId, now, n + 50_000), EventSort: 1, DeviceID: this.options.deviceId, StoragePath: '', Type: '01', FileFormat: 'Jpeg', ShotTime: shotTime, Width: this.scene.width, Height: this.scene.height, Data: this.scene.jpegBase64 });
    }
    const reliability = 80 + (n % 20);
    const object: Record<string, unknown> = {
      MotorVehicleID: motorVehicleId(source, n),
      InfoKind: 1,
      SourceID: source,
      DeviceID: this.options.deviceId,
      LeftTopX: 420, LeftTopY: 300, RightBtmX: 1380, RightBtmY: 980,
      LaneNo: 1 + (n % (this.options.laneCount ?? 3)),
      Direction: String(1 + (n % 4)),
      PassTime: shotTime,
      HasPlate: hasPlate ? '1' : '0',
      VehicleClass: VEHICLE_CLASSES[n % VEHICLE_CLASSES.length],
      VehicleColor: VEHICLE_COLOURS[n % VEHICLE_COLOURS.length],
      SubImageList: { SubImageInfoObject: subImages },
    };
    if (this.options.tollgateId) object.TollgateID = this.options.tollgateId;
    if (hasPlate) {
      Object.assign(object, {
        PlateClass: image.colour === 'yellow' ? '01' : '02',
        PlateColor: COLOUR[image.colour],
        PlateNo: plate,
        PlateReliability: String(reliability),
        PlateCharReliability: [...plate].map((c) => `${c}-${reliability}`).join(','),
      });
    }
    return object;
  }

  batch(size: number, now = Date.now()): Record<string, unknown>[] {
    return Array.from({ length: size }, () => this.next(now));
  }
}

function randomPlate(): string {
  const pick = (set: string) => set[Math.floor(Math.random() * set.length)]!;
  let tail = '';
  for (let i = 0; i < 5; i++) tail += Math.random() < 0.7 ? String(Math.floor(Math.random() * 10)) : pick(LETTERS);
  return `${pick(PROVINCES)}${pick(LETTERS)}${tail}`;
}

export function motorVehicleList(objects: Record<string, unknown>[]) {
  return { MotorVehicleListObject: { MotorVehicleObject: objects } };
}
