import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { RecordingEventKind } from '../api/kernel/db/tables/recording.ts';
import type { RelayPool, StreamLease } from '../relay/relay-pool.ts';
import { parsePlaylist, type PlaylistEntry } from './hls-playlist.ts';
import type { RecordingConfig } from './recording-config.ts';
import type { RecordedSegment, RecordingGap } from './recording-index.ts';
import { scheduleCovers, type RecordingPlan } from './recording-plan.ts';
import { SegmentFile } from './segment-file.ts';
import { WallClockAnchor } from './wall-clock-anchor.ts';

export interface CameraRecorderDeps {
  cameraId: string;
  /** `<dataDir>/recordings`. */
  root: string;
  config: RecordingConfig;
  relay: Pick<RelayPool, 'lease' | 'hlsDir'>;
  /** A closed segment (index it, count its bytes); a hole in the recording. */
  onSegment(segment: RecordedSegment): Promise<void>;
  onGap(gap: RecordingGap): Promise<void>;
  /** A drop noticed while it lasts: an ongoing gap row now; closed (or dropped, when no gap after all) once video resumes. */
  gaps: { open(gap: RecordingGap): Promise<void>; close(id: string, toAt: number): Promise<void>; drop(id: string): Promise<void> };
  /** The camera's gap left ongoing by an earlier run (a drop across a hub restart), adopted and closed on resume. */
  openGap: RecordingGap | undefined;
  /** A write failed (the disk is full): storage should make room now. `bytes`: what the lost segment held. */
  onWriteError(error: Error, bytes: number): void;
  /** End of the newest indexed segment at start-up (a hole across a hub restart is a gap). */
  lastEndedAt: number | undefined;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

interface Buffered {
  entry: PlaylistEntry;
  at: number;
  data: Buffer;
}

const LEASE_RETRY_MS = 5_000;

/**
 * Records one camera from its relay pull: holds the lease `recorder:<cameraId>` while the plan needs the
 * pull, reads the relay's playlist, and copies each finished HLS segment into the current recording
 * segment (`SegmentFile`) while the plan says record: always (continuous), inside the weekly table
 * (scheduled), or from `preRoll` before an event to `postRoll` after it (events; the last segments are
 * kept in memory for the pre-roll, so that mode keeps the pull running). A hole between segments longer
 * than `recording.gapMs` while recording (camera drop, relay restart, hub down) is stored as a gap.
 */
export class CameraRecorder {
  segmentsWritten = 0;
  private plan: RecordingPlan;
  private lease: StreamLease | undefined;
  private leaseFailedAt = 0;
  private leasing: Promise<void> | undefined;
  /** Playlist entries already taken (name and program date time: a restarted ffmpeg may reuse a name). */
  private taken = new Set<string>();
  private stopped = false;
  private ticking: Promise<void> | undefined;
  private lastEndAt: number | undefined;
  private lastWasRecorded: boolean;
  private writer: SegmentFile | undefined;
  private preRoll: Buffered[] = [];
  private triggeredUntil = 0;
  private triggerFrom: number | undefined;
  private lastSegmentSeenAt = Date.now();
  private readonly anchor = new WallClockAnchor();
  /** The ongoing gap of a drop in progress (written when noticed, closed when video resumes). */
  private openGap: RecordingGap | undefined;

  constructor(plan: RecordingPlan, private readonly d: CameraRecorderDeps) {
    this.plan = plan;
    this.openGap = d.openGap;
    this.lastEndAt = d.lastEndedAt;
    this.lastWasRecorded = d.lastEndedAt !== undefined;
  }

  get cameraId(): string {
    return this.d.cameraId;
  }

  get recording(): boolean {
    return this.writer !== undefined;
  }

  setPlan(plan: RecordingPlan): void {
    this.plan = plan;
  }

  get currentPlan(): RecordingPlan {
    return this.plan;
  }

  /** An event on this camera at `at`: with an events plan that lists its kind, record from pre-roll to post-roll. */
  trigger(kind: RecordingEventKind, at: number): boolean {
    if (this.plan.mode !== 'events' || !this.plan.events.includes(kind)) return false;
    const until = Math.max(at, Date.now()) + this.plan.postRollSeconds * 1_000;
    if (until > this.triggeredUntil) this.triggeredUntil = until;
    // Pre-roll starts before the event itself (passes and alerts arrive a little after the frame).
    this.triggerFrom = Math.min(this.triggerFrom ?? at, at - this.plan.preRollSeconds * 1_000);
    return true;
  }

  /** Whether the plan needs the camera pulled now. */
  private wantsPull(now: number): boolean {
    switch (this.plan.mode) {
      case 'continuous': case 'events': return true;
      case 'scheduled': return scheduleCovers(this.plan.schedule, now) || scheduleCovers(this.plan.schedule, now + 10_000);
      default: return false;
    }
  }

  /** Whether video whose first frame is at `at` is to be kept. */
  private records(at: number): boolean {
    switch (this.plan.mode) {
      case 'continuous': return true;
      case 'scheduled': return scheduleCovers(this.plan.schedule, at);
      case 'events': return this.triggerFrom !== undefined && at >= this.triggerFrom && at < this.triggeredUntil;
      default: return false;
    }
  }

  /** One pass (the recorder's loop calls it every `recording.pollMs`); never two at once, none after stop(). */
  async tick(now = Date.now()): Promise<void> {
    if (this.stopped || this.ticking) return;
    this.ticking = this.pass(now).finally(() => { this.ticking = undefined; });
    await this.ticking;
  }

  private async pass(now: number): Promise<void> {
    // The pull went from under the lease (in a cluster: the camera moved to another node): lease again.
    if (this.lease?.active === false) this.releaseLease();
    if (this.wantsPull(now)) this.ensureLease(now);
    else this.releaseLease();
    if (this.lease) await this.readPlaylist(now);
    if (this.plan.mode === 'events' && this.triggeredUntil > 0 && now > this.triggeredUntil + 2_000) {
      this.triggerFrom = undefined;
      this.triggeredUntil = 0;
    }
    // No new video for a while: close what we have so it is indexed (the camera may be gone for long),
    // and record the drop now as an ongoing gap rather than only once video is back.
    if (now - this.lastSegmentSeenAt > this.d.config.gapMs) {
      if (this.writer) await this.closeWriter();
      await this.noticeDrop(now);
    }
  }

  private async noticeDrop(now: number): Promise<void> {
    if (this.openGap || !this.lease || !this.lastWasRecorded || this.lastEndAt === undefined || !this.records(now)) return;
    const gap: RecordingGap = { id: randomUUID(), cameraId: this.d.cameraId, fromAt: this.lastEndAt, toAt: now, reason: this.dropReason(), ongoing: true };
    await this.d.gaps.open(gap);
    this.openGap = gap;
    this.d.log.info({ cameraId: this.d.cameraId, from: gap.fromAt }, 'recording: camera drop, gap open');
  }

  private dropReason(): string {
    return this.segmentsWritten === 0 ? 'hub_restart' : 'camera_drop';
  }

  /** Video is back at `at`: the ongoing gap ends there (or goes, when the hole was no gap after all). */
  private async resumeAfterDrop(at: number, isGap: boolean): Promise<void> {
    const open = this.openGap;
    if (!open) return;
    this.openGap = undefined;
    if (isGap && at > open.fromAt) await this.d.gaps.close(open.id, at);
    else await this.d.gaps.drop(open.id);
  }

  private ensureLease(now: number): void {
    if (this.lease || this.leasing || now - this.leaseFailedAt < LEASE_RETRY_MS) return;
    this.leasing = this.d.relay.lease(this.d.cameraId, `recorder:${this.d.cameraId}`)
      .then((lease) => { this.lease = lease; this.lastSegmentSeenAt = Date.now(); })
      .catch((error: Error) => {
        this.leaseFailedAt = Date.now();
        // In a cluster another node pulls (and records) the camera: not a fault of this one.
        const level = (error as { code?: string }).code === 'CAMERA_OWNED_ELSEWHERE' ? 'debug' : 'warn';
        this.d.log[level]({ cameraId: this.d.cameraId, err: error }, 'recorder could not lease the relay pull');
      })
      .finally(() => { this.leasing = undefined; });
  }

  private releaseLease(): void {
    this.lease?.release();
    this.lease = undefined;
  }

  private async readPlaylist(now: number): Promise<void> {
    const dir = this.d.relay.hlsDir(this.d.cameraId);
    const text = await readFile(join(dir, 'index.m3u8'), 'utf8').catch(() => undefined);
    if (text === undefined) return;
    const seenAt = Date.now();
    const entries = parsePlaylist(text);
    const keys = entries.map((e) => `${e.name}@${e.programDateTime ?? ''}`);
    for (const [i, entry] of entries.entries()) {
      if (this.taken.has(keys[i]!)) continue;
      this.taken.add(keys[i]!);
      const data = await readFile(join(dir, entry.name)).catch(() => undefined);
      if (data === undefined) continue;
      this.lastSegmentSeenAt = now;
      await this.take(entry, data, now, seenAt);
    }
    // Only what the playlist still lists can come again.
    this.taken = new Set(keys);
  }

  private async take(entry: PlaylistEntry, data: Buffer, now: number, seenAt: number): Promise<void> {
    const at = entry.programDateTime !== undefined ? this.anchor.place(entry.programDateTime, entry.durationMs, seenAt) : (this.lastEndAt !== undefined && now - this.lastEndAt < this.d.config.gapMs ? this.lastEndAt : now - entry.durationMs);
    const keep = this.records(at);
    const holeFrom = this.lastEndAt;
    const hole = holeFrom !== undefined && at - holeFrom > this.d.config.gapMs;
    if (hole) await this.closeWriter();
    if (this.openGap) await this.resumeAfterDrop(at, hole);
    else if (hole && this.lastWasRecorded && keep) await this.d.onGap({ id: randomUUID(), cameraId: this.d.cameraId, fromAt: holeFrom!, toAt: at, reason: this.dropReason() });
    this.lastEndAt = at + entry.durationMs;
    if (!keep) {
      await this.closeWriter();
      this.lastWasRecorded = false;
      this.holdForPreRoll({ entry, at, data });
      return;
    }
    this.lastWasRecorded = true;
    // Pre-roll kept in memory goes first (events mode); anything older than the trigger's pre-roll is dropped.
    const earlier = this.preRoll.filter((b) => this.records(b.at));
    this.preRoll = [];
    for (const b of [...earlier, { entry, at, data }]) await this.write(b);
  }

  private holdForPreRoll(b: Buffered): void {
    if (this.plan.mode !== 'events' || this.plan.preRollSeconds === 0) return;
    this.preRoll.push(b);
    const keepFrom = b.at + b.entry.durationMs - this.plan.preRollSeconds * 1_000 - 1_000;
    while (this.preRoll.length > 0 && this.preRoll[0]!.at + this.preRoll[0]!.entry.durationMs < keepFrom) this.preRoll.shift();
  }

  private async write(b: Buffered): Promise<void> {
    try {
      this.writer ??= await SegmentFile.create(this.d.root, this.d.cameraId, b.at);
      await this.writer.append(b.data, b.at, b.entry.durationMs);
    } catch (error) {
      const failed = this.writer;
      this.writer = undefined;
      await failed?.discard();
      await this.lost(failed?.startedAt ?? b.at, b.at + b.entry.durationMs, error as Error, failed?.bytes ?? 0);
      this.d.log.error({ cameraId: this.d.cameraId, err: error }, 'recording write failed; segment dropped');
      return;
    }
    if (this.writer.durationMs >= this.d.config.segmentSeconds * 1_000 - 200) await this.closeWriter();
  }

  private async closeWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    if (!writer) return;
    if (writer.bytes === 0) {
      await writer.discard();
      return;
    }
    try {
      const segment = await writer.close();
      this.segmentsWritten++;
      await this.d.onSegment(segment);
    } catch (error) {
      await writer.discard();
      await this.lost(writer.startedAt, writer.startedAt + writer.durationMs, error as Error, writer.bytes);
      this.d.log.error({ cameraId: this.d.cameraId, err: error }, 'closing a recording segment failed');
    }
  }

  /** Video that could not be stored (the disk is full, an I/O error): a gap, and storage asked to make room. */
  private async lost(fromAt: number, toAt: number, error: Error, bytes: number): Promise<void> {
    const code = (error as NodeJS.ErrnoException).code;
    this.d.onWriteError(error, bytes);
    await this.d.onGap({ id: randomUUID(), cameraId: this.d.cameraId, fromAt, toAt, reason: code === 'ENOSPC' || code === 'EDQUOT' ? 'disk_full' : 'write_failed' })
      .catch((gapError: Error) => this.d.log.warn({ cameraId: this.d.cameraId, err: gapError }, 'gap not stored'));
  }

  /**
   * Closes the segment being written (indexed as complete) and releases the pull. `endOpenGap`: the plan
   * stopped recording, so an ongoing gap ends now; at hub stop it stays open for the next run to close.
   */
  async stop(endOpenGap = false): Promise<void> {
    this.stopped = true;
    await this.ticking;
    await this.leasing;
    await this.closeWriter();
    if (endOpenGap && this.openGap) await this.resumeAfterDrop(Date.now(), true);
    this.releaseLease();
  }
}
