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
  private lastMissingCheck = 0;

  constructor(private readonly d: { root: string; config: RecordingConfig; index: RecordingIndex; plans: RecordingPlans; log: Pick<Logger, 'info' | 'warn' | 'error'> }) {}

  async load(): Promise<void> {
    this.recordedBytes = await this.d.index.totalBytes();
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

  /** One pass: retention days, cap, floor; the missing-file check every `missingCheckMinutes` (or when forced). */
  async enforce(now = Date.now(), options: { checkMissing?: boolean } = {}): Promise<StoragePassResult> {
    const result: StoragePassResult = { expired: 0, evicted: 0, missing: 0 };
    if (options.checkMissing || now - this.lastMissingCheck >= this.d.config.missingCheckMinutes * 60_000) {
      this.lastMissingCheck = now;
      result.missing = await this.markMissing(now);
    }
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
    return Math.max(overCap, underFloor, 0);
  }

  private async evict(): Promise<number> {
    let removed = 0;
    for (let need = await this.excess(); need > 0; need = await this.excess()) {
      const newest = new Map((await this.d.index.storageByCamera()).map((c) => [c.cameraId, c.newestAt]));
      // Oldest first across the volume; a camera's newest segment stays (recording goes on, never the newest dropped).
      const candidates = (await this.d.index.oldest(BATCH)).filter((s) => s.endedAt !== newest.get(s.cameraId));
      const chosen: RecordedSegment[] = [];
      let freed = 0;
      for (const segment of candidates) {
        if (freed >= need) break;
        chosen.push(segment);
        freed += Math.max(segment.bytes, 1);
      }
      if (chosen.length === 0) {
        this.d.log.warn({ need }, 'recordings volume over its cap or under its floor with nothing left to drop');
        break;
      }
      removed += await this.remove(chosen);
    }
    return removed;
  }

  private async remove(segments: RecordedSegment[]): Promise<number> {
    for (const segment of segments) await rm(join(this.d.root, segment.path), { force: true });
    const deleted = await this.d.index.deleteSegments(segments.map((s) => s.id));
    for (const segment of segments) if (segment.state !== 'missing') this.recordedBytes -= segment.bytes;
    return deleted;
  }

  private async markMissing(now: number): Promise<number> {
    let missing = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.d.index.presentPage(after, 500);
      if (page.length === 0) break;
      for (const { id, path } of page) {
        if (await stat(join(this.d.root, path)).then(() => true, () => false)) continue;
        const segment = await this.d.index.segment(id);
        if (!segment) continue;
        await this.d.index.markState(id, 'missing');
        await this.d.index.addGap({ id: randomUUID(), cameraId: segment.cameraId, fromAt: segment.startedAt, toAt: segment.endedAt, reason: 'segment_missing' });
        this.recordedBytes -= segment.bytes;
        missing++;
      }
      after = page.at(-1)!.id;
    }
    if (missing > 0) this.d.log.warn({ missing, at: now }, 'recorded segments deleted behind the hub\'s back; marked missing');
    return missing;
  }
}
