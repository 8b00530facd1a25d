import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../api/kernel/fs/private-files.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import type { SnapshotService } from './snapshot-service.ts';

/** Catalogue thumbnails are this wide; the catalogue shows them at most this size. */
export const THUMBNAIL_WIDTH = 320;
const CAMERA_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface Thumbnail {
  jpeg: Buffer;
  takenAt: number;
  /** True when the still was taken for this request (not read from the disk cache). */
  fresh: boolean;
}

/**
 * Small stills of cameras for the catalogue, kept on disk (<dataDir>/thumbnails/<cameraId>.jpg, private)
 * for `ttlSeconds` so that paging a list of thousands does not pull every camera again. Who may see one is
 * decided before this is asked (the route runs the snapshot access check on every request, cached or not).
 * A failed grab is remembered for a short while too, so an offline camera is not tried on every page view.
 */
export class ThumbnailCache {
  private readonly failures = new Map<string, { error: unknown; until: number }>();

  constructor(private readonly dir: string, private readonly snapshots: Pick<SnapshotService, 'take'>, private readonly settings: () => { ttlSeconds: number; failureSeconds: number }) {}

  async get(cameraId: string, userId: string, now = Date.now()): Promise<Thumbnail> {
    if (!CAMERA_ID.test(cameraId)) throw new DomainError('THUMBNAIL_INVALID_ID', 'not a camera id');
    const file = join(this.dir, `${cameraId}.jpg`);
    const { ttlSeconds, failureSeconds } = this.settings();
    const cached = await stat(file).catch(() => undefined);
    if (cached && now - cached.mtimeMs < ttlSeconds * 1000) {
      return { jpeg: await readFile(file), takenAt: Math.round(cached.mtimeMs), fresh: false };
    }
    const failed = this.failures.get(cameraId);
    if (failed && failed.until > now) throw failed.error;
    let jpeg: Buffer;
    try {
      jpeg = (await this.snapshots.take(cameraId, THUMBNAIL_WIDTH, userId)).jpeg;
    } catch (error) {
      // Busy is the hub's state, not the camera's: not remembered.
      if (!(error instanceof DomainError && error.code === 'SNAPSHOT_BUSY')) this.failures.set(cameraId, { error, until: now + failureSeconds * 1000 });
      throw error;
    }
    this.failures.delete(cameraId);
    await ensurePrivateDir(this.dir);
    const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(partial, jpeg, { mode: PRIVATE_FILE_MODE });
    await rename(partial, file);
    return { jpeg, takenAt: now, fresh: true };
  }

  /** Forgets a camera's thumbnail (it was removed, or its stream changed). */
  async forget(cameraId: string): Promise<void> {
    this.failures.delete(cameraId);
    if (CAMERA_ID.test(cameraId)) await rm(join(this.dir, `${cameraId}.jpg`), { force: true });
  }
}
