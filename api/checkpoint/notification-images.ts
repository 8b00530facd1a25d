import { PassPictures } from './pass-pictures.ts';
import type { MotorVehicleObject } from '../viid/objects/motor-vehicle-object.ts';
import type { PassRow } from './pass-record.ts';

/** What a subscriber's ResultImageDeclare asks for: no pictures, URLs only (nothing declared), or these types with their data. */
export type ImageDeclare = { kind: 'none' } | { kind: 'urls' } | { kind: 'data'; types: Set<string> };

/**
 * ResultImageDeclare (返回结果图片约定): `-1` no pictures; a comma list of image type codes (01 vehicle,
 * 02 plate colour crop, 03 plate binary, 09 close-up, 14 scene…) the pictures wanted, sent inline as
 * base64 `Data`; empty: the pictures by URL (signed, expiring), no data.
 */
export function parseImageDeclare(text: string | null | undefined): ImageDeclare {
  const value = (text ?? '').trim();
  if (value === '') return { kind: 'urls' };
  if (value === '-1') return { kind: 'none' };
  const types = new Set(value.split(/[,;\s]+/).filter((t) => /^\d{1,3}$/.test(t)).map((t) => t.padStart(2, '0')));
  return types.size > 0 ? { kind: 'data', types } : { kind: 'urls' };
}

/** Our two pictures and the type codes each can answer: the plate crop (02, 03) and the scene (14 and the vehicle pictures 01, 09). */
const SERVES: Record<string, 'crop' | 'scene'> = { '02': 'crop', '03': 'crop', '14': 'scene', '01': 'scene', '09': 'scene' };

/**
 * Applies each subscription's ResultImageDeclare to the notification objects. One instance per push: the
 * pictures' bytes are read once (several subscriptions may want them) from the images folder, never outside it.
 */
export class NotificationImages {
  private readonly cache = new Map<string, Promise<Buffer | undefined>>();

  private readonly pictures: PassPictures;

  constructor(imagesDir: string) {
    this.pictures = new PassPictures(imagesDir);
  }

  async apply(objects: MotorVehicleObject[], rows: PassRow[], declare: ImageDeclare): Promise<MotorVehicleObject[]> {
    if (declare.kind === 'urls') return objects;
    if (declare.kind === 'none') return objects.map(({ SubImageList: _dropped, ...rest }) => rest);
    const wanted = new Set([...declare.types].map((type) => SERVES[type]).filter(Boolean));
    return Promise.all(objects.map(async (object, i) => {
      const row = rows[i]!;
      const images = object.SubImageList?.SubImageInfoObject ?? [];
      const kept = await Promise.all(images.filter((image) => wanted.has(kindOf(image.Type))).map(async (image) => {
        const kind = kindOf(image.Type);
        const data = await this.read(kind === 'crop' ? row.crop_image_path : row.scene_image_path);
        return data ? { ...image, Data: data.toString('base64') } : image;
      }));
      const { SubImageList: _old, ...rest } = object;
      return kept.length > 0 ? { ...rest, SubImageList: { SubImageInfoObject: kept } } : rest;
    }));
  }

  /** A picture gone (retention) is sent by URL only; one outside the images folder is never read. */
  private read(stored: string | null): Promise<Buffer | undefined> {
    if (stored === null) return Promise.resolve(undefined);
    const cached = this.cache.get(stored);
    if (cached) return cached;
    const bytes = this.pictures.read(stored).catch(() => undefined);
    this.cache.set(stored, bytes);
    return bytes;
  }
}

const kindOf = (type: string): 'crop' | 'scene' => (type === '02' || type === '03' ? 'crop' : 'scene');
