import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { volumeReference } from '../../checkpoint/pass-pictures.ts';

interface OpenVolume {
  rel: string;
  fd: number;
  size: number;
  usedAt: number;
  /** Batch in which it was last checked to still be linked (retention may have removed its day). */
  checkedIn: number;
}

/** A volume grows to this size, then the day goes on in a new one (a size any tool copies in one piece). */
const MAX_VOLUME_BYTES = 1 << 30;
/** Volumes idle this long are closed (passes of an earlier day stop coming soon after midnight). */
const IDLE_MS = 60_000;
const MAX_OPEN = 8;

/**
 * The picture volumes of one writer thread: per UTC day, a file the thread alone appends to
 * (`<day>/<thread tag>-<n>.pack`, mode 0600, folder 0700), synchronous calls only (the thread exists to
 * block on them). A picture is one write, whose offset and length become its stored path. The tag is new
 * at every start, so a restarted hub or a second thread never appends to another's volume.
 */
export class PictureVolumes {
  private readonly tag = randomBytes(6).toString('hex');
  private readonly open = new Map<string, OpenVolume>();
  private serial = 0;
  private batch = 0;

  constructor(private readonly imagesDir: string, private readonly ensureDir: (dir: string) => void) {
    setInterval(() => this.closeIdle(Date.now() - IDLE_MS), IDLE_MS / 2).unref();
  }

  /** Starts a batch of appends (a volume whose day folder was removed is noticed once per batch). */
  nextBatch(): void {
    this.batch++;
  }

  /** Appends the picture to the day's volume; returns its stored path. */
  append(day: string, bytes: Uint8Array): string {
    const volume = this.volumeFor(day, bytes.length);
    const offset = volume.size;
    try {
      let at = 0;
      while (at < bytes.length) at += writeSync(volume.fd, bytes, at, bytes.length - at);
    } catch (error) {
      // A short write (disk full) leaves bytes no row names: the next picture starts after them.
      volume.size = fstatSync(volume.fd).size;
      throw error;
    }
    volume.size += bytes.length;
    volume.usedAt = Date.now();
    return volumeReference(volume.rel, offset, bytes.length);
  }

  closeAll(): void {
    this.closeIdle(Infinity);
  }

  private volumeFor(day: string, adding: number): OpenVolume {
    const current = this.open.get(day);
    if (current && current.size + adding <= MAX_VOLUME_BYTES && this.stillLinked(current)) return current;
    if (current) this.close(day, current);
    if (this.open.size >= MAX_OPEN) this.closeIdle(Math.min(...[...this.open.values()].map((v) => v.usedAt)) + 1);
    const rel = `${day}/${this.tag}-${++this.serial}.pack`;
    const full = join(this.imagesDir, rel);
    let fd: number;
    try {
      fd = openSync(full, 'a', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.ensureDir(join(this.imagesDir, day));
      fd = openSync(full, 'a', 0o600);
    }
    const volume: OpenVolume = { rel, fd, size: fstatSync(fd).size, usedAt: Date.now(), checkedIn: this.batch };
    this.open.set(day, volume);
    return volume;
  }

  private stillLinked(volume: OpenVolume): boolean {
    if (volume.checkedIn === this.batch) return true;
    volume.checkedIn = this.batch;
    return fstatSync(volume.fd).nlink > 0;
  }

  private closeIdle(before: number): void {
    for (const [day, volume] of this.open) if (volume.usedAt < before) this.close(day, volume);
  }

  private close(day: string, volume: OpenVolume): void {
    this.open.delete(day);
    try {
      closeSync(volume.fd);
    } catch {
      // Already closed or the disk went away: nothing more to flush from here.
    }
  }
}
