import { randomUUID } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir } from '../api/kernel/fs/private-files.ts';
import type { RecordedSegment } from './recording-index.ts';
import { chinaDay } from './recording-plan.ts';
import { scanTs } from './ts-scan.ts';

/** A segment being written carries this suffix until it is closed; one left at start-up was cut by a crash. */
export const PART_SUFFIX = '.part';

/**
 * One recording segment being written: whole relay HLS segments (each starting on a key frame, MPEG-TS
 * continues across them) appended as they are, so the copy costs a write and no transcoding. The file is
 * `<cameraId>/<China day>/<startedAt>.ts.part` until `close()` renames it and hands back its index row.
 */
export class SegmentFile {
  readonly relativePath: string;
  durationMs = 0;
  bytes = 0;
  private readonly keyframes: number[] = [];
  private handle: FileHandle | undefined;

  private constructor(private readonly root: string, readonly cameraId: string, readonly startedAt: number) {
    this.relativePath = `${cameraId}/${chinaDay(startedAt)}/${startedAt}.ts`;
  }

  static async create(root: string, cameraId: string, startedAt: number): Promise<SegmentFile> {
    const file = new SegmentFile(root, cameraId, startedAt);
    await ensurePrivateDir(root);
    await ensurePrivateDir(join(root, cameraId));
    await ensurePrivateDir(join(root, cameraId, chinaDay(startedAt)));
    // 'wx': a second segment starting in the same ms of the same camera must not overwrite the first.
    file.handle = await open(file.partPath, 'wx', 0o600);
    return file;
  }

  private get partPath(): string {
    return join(this.root, this.relativePath + PART_SUFFIX);
  }

  /** Appends one finished relay segment whose first frame is at `at` (wall clock). */
  async append(data: Buffer, at: number, durationMs: number): Promise<void> {
    const offset = Math.max(0, at - this.startedAt);
    await this.handle!.write(data);
    this.bytes += data.length;
    for (const key of scanTs(data).keyframesMs) this.keyframes.push(offset + key);
    this.durationMs = Math.max(this.durationMs, offset + durationMs);
  }

  /** Flushes, renames to the final name and returns the index row (state complete). */
  async close(): Promise<RecordedSegment> {
    await this.handle!.sync();
    await this.handle!.close();
    this.handle = undefined;
    await rename(this.partPath, join(this.root, this.relativePath));
    return {
      id: randomUUID(), cameraId: this.cameraId, startedAt: this.startedAt, endedAt: this.startedAt + this.durationMs,
      durationMs: this.durationMs, bytes: this.bytes, path: this.relativePath, format: 'mpegts',
      keyframes: this.keyframes.length > 0 ? this.keyframes : [0], state: 'complete', createdAt: Date.now(),
    };
  }

  /** Drops the file being written (a write failed, e.g. the disk is full). */
  async discard(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
    await rm(this.partPath, { force: true });
  }
}
