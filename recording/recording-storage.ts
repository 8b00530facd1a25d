import { randomUUID } from 'node:crypto';
import { rm, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RecordingConfig } from './recording-config.ts';
import type { RecordedSegment, RecordingIndex } from './recording-index.ts';
import type { RecordingPlans } from './recording-plans.ts';

const DAY_MS = 86_400_000;
const BATCH = 200;

export interface StoragePassResult {
  /** Segments removed for their camera's retention days. */
  expired: number;
  /** Segments removed for the volume's bytes cap or free-space floor (oldest first). */
  evicted: number;
  /** Indexed segments whose file was gone (marked missing). */
  missing: number;
}

export interface VolumeFigures {
  root: string;
  /** Bytes of the recordings the index holds. */
  recordedBytes: number;
  /** The file system holding the recordings: size and what is free for the hub. */
  volumeBytes: number;
  freeBytes: number;
  maxBytes: number;
  minFreeBytes: number;
}

/**
 * Keeps the recordings volume within bounds for months unattended: per-camera retention days (the plan's, or
 * `recording.retentionDays`), the volume's bytes cap and free-space floor (oldest segments of any camera
 * first, never a camera's newest), and the index honest about files deleted behind the hub's back (marked
 * `missing`, with a gap). Files go before their index rows, so a crash in between leaves a row the missing
 * check catches, never an orphan file that re-indexing would bring back.
 */
export class RecordingStorage {
  private recordedBytes = 0;
  /** Where the incremental missing-file check goes on (segment ids in order; undefined = from the start). */
  private missingCursor: string | undefined;
  /** Bytes to free on the next pass whatever the cap and floor say: a write hit a full disk. */
  private roomNeeded = 0;
  /** Segments being removed by retention now: their files vanish on purpose, the missing check leaves them be. */
  private readonly removing = new Set<string>();

  constructor(private readonly d: { root: string; config: RecordingConfig; index: RecordingIndex; plans: RecordingPlans; log: Pick<Logger, 'info' | 'warn' | 'error'> }) {}

  async load(): Promise<void> {
    this.recordedBytes = await this.d.index.totalBytes();
  }

  /**
   * A write failed on a full disk (something else filled it, or the floor is set too low): the next pass drops
   * the oldest segments worth a few of the lost one (at least 1 MiB) so recording resumes.
   */
  needRoom(lostBytes: number): void {
    this.roomNeeded = Math.max(this.roomNeeded, 4 * lostBytes, 1_048_576);
  }

  /** The recorder indexed a segment. True when the volume is over its cap (a pass should run now). */
  added(segment: RecordedSegment): boolean {
    this.recordedBytes += segment.bytes;
    return this.d.config.maxBytes > 0 && this.recordedBytes > this.d.config.maxBytes;
  }

  async figures(): Promise<VolumeFigures> {
    const fs = await this.volume();
    return { root: this.d.root, recordedBytes: this.recordedBytes, volumeBytes: fs.size, freeBytes: fs.free, maxBytes: this.d.config.maxBytes, minFreeBytes: this.d.config.minFreeBytes };
  }

  private async volume(): Promise<{ size: number; free: number }> {
    const s = await statfs(this.d.root).catch(() => undefined);
    return s ? { size: s.blocks * s.bsize, free: s.bavail * s.bsize } : { size: 0, free: Number.MAX_SAFE_INTEGER };
  }

  /**
   * One pass: the next slice of the missing-file check, retention days, cap, floor. The slice is sized so that
   * every indexed file is checked once per `missingCheckMinutes` (a months-deep index is millions of files:
   * never all of them in one pass).
   */
  async enforce(now = Date.now()): Promise<StoragePassResult> {
    const result: StoragePassResult = { expired: 0, evicted: 0, missing: 0 };
    result.missing = await this.checkMissing(await this.missingSlice());
    result.expired = await this.expire(now);
    result.evicted = await this.evict();
    if (result.expired + result.evicted + result.missing > 0) this.d.log.info({ ...result, recordedBytes: this.recordedBytes }, 'recording storage pass');
    return result;
  }

  private async expire(now: number): Promise<number> {
    const overrides = await this.d.plans.retentionOverrides();
    let removed = 0;
    for (const cameraId of await this.d.index.cameraIds()) {
      const cutoff = now - (overrides.get(cameraId) ?? this.d.config.retentionDays) * DAY_MS;
      for (;;) {
        const old = await this.d.index.oldest(BATCH, { cameraId, endedBefore: cutoff });
        if (old.length === 0) break;
        removed += await this.remove(old);
        if (old.length < BATCH) break;
      }
      await this.d.index.deleteGapsBefore(cameraId, cutoff);
    }
    return removed;
  }

  /** How many bytes must go: over the cap, or under the free-space floor. */
  private async excess(): Promise<number> {
    const overCap = this.d.config.maxBytes > 0 ? this.recordedBytes - this.d.config.maxBytes : 0;
    const underFloor = this.d.config.minFreeBytes > 0 ? this.d.config.minFreeBytes - (await this.volume()).free : 0;
    return Math.max(overCap, underFloor, this.roomNeeded, 0);
  }

  private async evict(): Promise<number> {
    let removed = 0;
    for (let need = await this.excess(); need > 0; need = await this.excess()) {
      const oldest = await this.d.index.oldest(BATCH);
      const newest = new Map<string, number | undefined>();
      for (const id of new Set(oldest.map((s) => s.cameraId))) newest.set(id, await this.d.index.newestEnd(id));
      // Oldest first across the volume; a camera's newest segment stays (recording goes on, never the newest dropped).
      const candidates = oldest.filter((s) => s.endedAt !== newest.get(s.cameraId));
      const chosen: RecordedSegment[] = [];
      let freed = 0;
      for (const segment of candidates) {
        if (freed >= need) break;
        chosen.push(segment);
        freed += Math.max(segment.bytes, 1);
      }
      if (chosen.length === 0) {
        this.d.log.warn({ need }, 'recordings volume over its cap or under its floor with nothing left to drop');
        this.roomNeeded = 0;
        break;
      }
      removed += await this.remove(chosen);
      this.roomNeeded = Math.max(0, this.roomNeeded - freed);
    }
    return removed;
  }

  private async remove(segments: RecordedSegment[]): Promise<number> {
    const fresh = segments.filter((s) => !this.removing.has(s.id));
    for (const segment of fresh) this.removing.add(segment.id);
    try {
      for (const segment of fresh) await rm(join(this.d.root, segment.path), { force: true });
      const deleted = await this.d.index.deleteSegments(fresh.map((s) => s.id));
      for (const segment of fresh) if (segment.state !== 'missing') this.recordedBytes -= segment.bytes;
      return deleted;
    } finally {
      for (const segment of fresh) this.removing.delete(segment.id);
    }
  }

  private async missingSlice(): Promise<number> {
    const passes = Math.max(1, (this.d.config.missingCheckMinutes * 60) / this.d.config.storageCheckSeconds);
    return Math.max(200, Math.ceil((await this.d.index.segmentCount()) / passes));
  }

  /** Checks every indexed file once (after start-up, beside the regular passes, which keep their own cursor). */
  async sweepMissing(): Promise<number> {
    let missing = 0;
    for (let after: string | undefined, done = false; !done;) {
      const page = await this.checkPage(after, 500);
      missing += page.missing;
      after = page.last;
      done = page.last === undefined;
    }
    if (missing > 0) this.d.log.warn({ missing }, 'recorded segments deleted behind the hub\'s back; marked missing');
    return missing;
  }

  /** Checks up to `budget` indexed files from the cursor on (wrapping at the end). */
  private async checkMissing(budget: number): Promise<number> {
    let missing = 0;
    for (let checked = 0; checked < budget;) {
      const page = await this.checkPage(this.missingCursor, Math.min(500, budget - checked));
      missing += page.missing;
      checked += page.checked;
      this.missingCursor = page.last;
      if (page.last === undefined) break;
    }
    if (missing > 0) this.d.log.warn({ missing }, 'recorded segments deleted behind the hub\'s back; marked missing');
    return missing;
  }

  /** One page of indexed files after `after`: a file that is gone is marked missing, with a gap. `last` undefined = the end. */
  private async checkPage(after: string | undefined, limit: number): Promise<{ missing: number; checked: number; last: string | undefined }> {
    const page = await this.d.index.presentPage(after, limit);
    let missing = 0;
    for (const { id, path } of page) {
      if (this.removing.has(id)) continue;
      if (await stat(join(this.d.root, path)).then(() => true, () => false)) continue;
      const segment = await this.d.index.segment(id);
      if (!segment || segment.state === 'missing' || this.removing.has(id)) continue;
      await this.d.index.markState(id, 'missing');
      await this.d.index.addGap({ id: randomUUID(), cameraId: segment.cameraId, fromAt: segment.startedAt, toAt: segment.endedAt, reason: 'segment_missing' });
      this.recordedBytes -= segment.bytes;
      missing++;
    }
    return { missing, checked: page.length, last: page.length === limit ? page.at(-1)!.id : undefined };
  }
}
