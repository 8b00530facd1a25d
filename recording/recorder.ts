import type { Logger } from 'pino';
import type { HubEvents } from '../api/kernel/events/hub-events.ts';
import type { RecordingEventKind } from '../api/kernel/db/tables/recording.ts';
import { PeriodicTask } from '../api/kernel/process/periodic-task.ts';
import type { RelayPool } from '../relay/relay-pool.ts';
import { CameraRecorder } from './camera-recorder.ts';
import type { RecordingConfig } from './recording-config.ts';
import type { RecordedSegment, RecordingGap, RecordingIndex } from './recording-index.ts';
import type { RecordingPlan } from './recording-plan.ts';
import type { RecordingPlans } from './recording-plans.ts';

export interface RecorderDeps {
  root: string;
  config: RecordingConfig;
  relay: Pick<RelayPool, 'lease' | 'hlsDir'>;
  index: RecordingIndex;
  plans: RecordingPlans;
  events: HubEvents;
  /** A segment was indexed (storage counts its bytes and may make room). */
  onSegment(segment: RecordedSegment): void;
  /** A write failed: storage should make room at once (on ENOSPC, whatever the floor says). */
  onWriteError(error: Error, bytes: number): void;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

export interface CameraRecordingStatus {
  cameraId: string;
  mode: RecordingPlan['mode'];
  /** A segment is being written now. */
  recording: boolean;
  segmentsWritten: number;
}

/**
 * Runs one `CameraRecorder` per camera whose plan records, on one loop, and turns hub events into
 * triggers for event plans: `analytics.motion` (motion), `checkpoint.passes` (a plate pass),
 * `checkpoint.alert` (a watchlist hit), `crowd.alert`.
 */
export class Recorder {
  private readonly cameras = new Map<string, CameraRecorder>();
  private readonly loop: PeriodicTask<void>;
  private readonly listeners: Array<[string, (...args: any[]) => void]>;
  private changes: Promise<void> = Promise.resolve();

  constructor(private readonly d: RecorderDeps) {
    this.loop = new PeriodicTask({ run: () => this.tickAll(), everyMs: d.config.pollMs, onError: (error) => d.log.warn({ err: error }, 'recorder pass failed') });
    this.listeners = [
      ['checkpoint.alert', (alert: { cameraId: string; passedAt: number }) => this.trigger(alert.cameraId, 'watchlist', alert.passedAt)],
      ['crowd.alert', (alert: { cameraId: string; startedAt: number }) => this.trigger(alert.cameraId, 'crowd', alert.startedAt)],
      ['checkpoint.passes', (passes: Array<{ cameraId: string; passedAt: number }>) => { for (const p of passes) this.trigger(p.cameraId, 'plate', p.passedAt); }],
      ['analytics.motion', (motion: { cameraId: string; at: number }) => this.trigger(motion.cameraId, 'motion', motion.at)],
      // A removed camera stops recording and loses its plan; what it recorded stays until retention.
      ['camera.changed', ({ cameraId, change }: { cameraId: string; change: string }) => {
        if (change !== 'deleted') return;
        const done = this.changes.then(async () => {
          await this.remove(cameraId);
          await this.d.plans.remove(cameraId);
        });
        this.changes = done.catch((error: Error) => this.d.log.warn({ cameraId, err: error }, 'recording of a removed camera not stopped'));
      }],
    ];
  }

  async start(): Promise<void> {
    for (const plan of await this.d.plans.active()) await this.apply(plan);
    for (const [name, listener] of this.listeners) this.d.events.on(name as 'camera.changed', listener);
    this.loop.start();
  }

  /** A plan was saved: start, update or stop the camera's recorder (one change at a time). */
  apply(plan: RecordingPlan): Promise<void> {
    const next = this.changes.then(() => this.applyNow(plan));
    this.changes = next.catch(() => {});
    return next;
  }

  private async applyNow(plan: RecordingPlan): Promise<void> {
    const existing = this.cameras.get(plan.cameraId);
    if (plan.mode === 'off') {
      await this.remove(plan.cameraId);
      return;
    }
    if (existing) {
      existing.setPlan(plan);
      return;
    }
    // Only a continuous plan makes a hole since the last segment a gap (other plans were not meant to record it).
    const lastEndedAt = plan.mode === 'continuous' ? await this.d.index.newestEnd(plan.cameraId) : undefined;
    // A drop left ongoing by the last run: a continuous plan closes it when video is back, others end it now.
    let openGap = await this.d.index.openGapOf(plan.cameraId);
    if (openGap && plan.mode !== 'continuous') {
      await this.d.index.closeGap(openGap.id, Date.now());
      openGap = undefined;
    }
    this.cameras.set(plan.cameraId, new CameraRecorder(plan, {
      cameraId: plan.cameraId, root: this.d.root, config: this.d.config, relay: this.d.relay, lastEndedAt, log: this.d.log,
      onSegment: async (segment) => {
        await this.d.index.addSegment(segment);
        this.d.onSegment(segment);
      },
      onGap: (gap: RecordingGap) => this.d.index.addGap(gap),
      gaps: { open: (gap) => this.d.index.openGap(gap), close: (id, toAt) => this.d.index.closeGap(id, toAt), drop: (id) => this.d.index.dropGap(id) },
      openGap,
      onWriteError: (error, bytes) => this.d.onWriteError(error, bytes),
    }));
    this.loop.kick();
  }

  private async remove(cameraId: string): Promise<void> {
    const recorder = this.cameras.get(cameraId);
    this.cameras.delete(cameraId);
    // The plan no longer records (or the camera went): a drop in progress ends here.
    await recorder?.stop(true);
  }

  /** An event on a camera; true when an events plan took it. */
  trigger(cameraId: string, kind: RecordingEventKind, at: number): boolean {
    const taken = this.cameras.get(cameraId)?.trigger(kind, at) ?? false;
    if (taken) this.loop.kick();
    return taken;
  }

  status(): CameraRecordingStatus[] {
    return [...this.cameras.values()].map((r) => ({ cameraId: r.cameraId, mode: r.currentPlan.mode, recording: r.recording, segmentsWritten: r.segmentsWritten }));
  }

  private async tickAll(): Promise<void> {
    const now = Date.now();
    for (const recorder of [...this.cameras.values()]) {
      await recorder.tick(now).catch((error: Error) => this.d.log.warn({ cameraId: recorder.cameraId, err: error }, 'recorder tick failed'));
    }
  }

  async stop(): Promise<void> {
    for (const [name, listener] of this.listeners) this.d.events.off(name as 'camera.changed', listener);
    await this.changes;
    await this.loop.stop();
    await Promise.all([...this.cameras.values()].map((r) => r.stop()));
    this.cameras.clear();
  }
}
