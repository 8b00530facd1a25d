import { open, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';

/**
 * Where a pass's stored picture is. A stored path (`crop_image_path`, `scene_image_path`, relative to
 * <dataDir>/images) names either a whole file (`<day>/<passId>-crop.jpg`: our own analytics' crops, paths
 * given to the native ingest API) or a byte range of a picture volume (`<day>/<volume>.pack#<offset>+<length>`):
 * received GA/T 1400 pictures are appended to one volume per writer thread and day, because creating a file per
 * picture (5,000 a second) cost this machine's kernel more CPU than it had (measured: 41 s of system time for
 * 30 s of 5,000 files/s, against 1 s appending the same bytes). A volume is never rewritten; it goes whole
 * once every pass of its day is past image (or pass) retention.
 */
export interface PictureLocation {
  /** Absolute path, inside the images folder. */
  file: string;
  /** Byte range in a volume; absent for a whole file. */
  range?: { start: number; length: number };
  contentType: string;
}

const VOLUME_REFERENCE = /^(\d{4}-\d{2}-\d{2}\/[A-Za-z0-9-]{1,64}\.pack)#(\d{1,15})\+(\d{1,9})$/;
const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const IMAGE_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

/** The stored path of `length` bytes at `offset` of a volume (`volume` relative to the images folder). */
export function volumeReference(volume: string, offset: number, length: number): string {
  return `${volume}#${offset}+${length}`;
}

export class PassPictures {
  readonly imagesDir: string;

  constructor(imagesDir: string) {
    this.imagesDir = resolve(imagesDir);
  }

  /** Where a stored path points; undefined when it is empty or would leave the images folder. */
  locate(stored: string | null | undefined): PictureLocation | undefined {
    if (!stored) return undefined;
    const volume = VOLUME_REFERENCE.exec(stored);
    const file = resolve(this.imagesDir, volume ? volume[1]! : stored);
    if (!file.startsWith(this.imagesDir + sep)) return undefined;
    if (!volume) return { file, contentType: IMAGE_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' };
    // Volumes hold JPEGs only: the writer re-encodes anything else before it appends.
    return { file, range: { start: Number(volume[2]), length: Number(volume[3]) }, contentType: 'image/jpeg' };
  }

  /**
   * The location and byte count of a picture that is still on disk (a volume's range must lie inside the
   * volume), else undefined: gone with retention, or never there.
   */
  async present(stored: string | null | undefined): Promise<{ location: PictureLocation; size: number } | undefined> {
    const location = this.locate(stored);
    if (!location) return undefined;
    const info = await stat(location.file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    if (!location.range) return { location, size: info.size };
    const { start, length } = location.range;
    return start + length <= info.size ? { location, size: length } : undefined;
  }

  /** The picture's bytes, or undefined when it is gone. */
  async read(stored: string | null | undefined): Promise<Buffer | undefined> {
    const location = this.locate(stored);
    if (!location) return undefined;
    if (!location.range) return readFile(location.file).catch(() => undefined);
    const handle = await open(location.file, 'r').catch(() => undefined);
    if (!handle) return undefined;
    try {
      const bytes = Buffer.alloc(location.range.length);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, location.range.start);
      return bytesRead === bytes.length ? bytes : undefined;
    } finally {
      await handle.close();
    }
  }

  /**
   * Removes the pictures of passes that are deleted or lose their pictures. A whole file goes at once; a
   * volume's range cannot, and its volume goes with `removeExpiredVolumes`. Returns how many pictures
   * no longer count (both kinds).
   */
  async remove(stored: Array<string | null>): Promise<number> {
    let removed = 0;
    for (const path of stored) {
      const location = this.locate(path);
      if (!location) continue;
      if (!location.range) await rm(location.file, { force: true });
      removed++;
    }
    return removed;
  }

  /**
   * Deletes the volumes of every day folder that ends at or before `cutoff` (UTC days, as the folders are
   * named): all of its passes are then past image or pass retention and their pictures unreferenced. An
   * emptied day folder goes too. Returns how many volumes were deleted.
   */
  async removeExpiredVolumes(cutoff: number): Promise<number> {
    const days = await readdir(this.imagesDir).catch(() => [] as string[]);
    let deleted = 0;
    for (const day of days) {
      if (!DAY_FOLDER.test(day) || Date.parse(`${day}T00:00:00Z`) + DAY_MS > cutoff) continue;
      const folder = join(this.imagesDir, day);
      for (const name of await readdir(folder).catch(() => [] as string[])) {
        if (!name.endsWith('.pack')) continue;
        await rm(join(folder, name), { force: true });
        deleted++;
      }
      await rmdir(folder).catch(() => undefined);
    }
    return deleted;
  }
}
