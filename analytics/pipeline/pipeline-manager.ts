import type { PassRecordInput } from '../vocabulary/pass-record-input.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CameraSupervisor } from '../../ingest/health/camera-supervisor.ts';
import type { CrowdRecorder } from '../crowd/crowd-recorder.ts';
import type { CrowdStore } from '../crowd/crowd-store.ts';
import type { CrowdZone } from '../crowd/crowd-zone.ts';
import type { AnalyticsConfig } from '../analytics-config.ts';
import { CameraPipeline } from './camera-pipeline.ts';
import type { FrameAnalyser } from './frame-analyser.ts';
import type { FrameSource } from './frame-source.ts';
import type { CameraStats } from './pipeline-stats.ts';

export interface PipelineManagerDeps {
  ctx: HubContext;
  config: AnalyticsConfig;
  analyser: FrameAnalyser;
  source: () => FrameSource;
  enqueuePass(record: PassRecordInput): Promise<void>;
  crowdStore: CrowdStore;
  crowdRecorder: CrowdRecorder;
  imagesDir: string;
  supervisor: Pick<CameraSupervisor, 'framesChanged'>;
}

interface Running {
  pipeline: CameraPipeline;
  /** stream URL + sealed credentials: a change means a new pull. */
  fingerprint: string;
}

/**
 * Runs one CameraPipeline per camera with analytics_enabled = 1 and follows camera.changed: enabling,
 * disabling, deleting or re-pointing a camera starts, stops or restarts its pipeline. Changes to one
 * camera are applied one at a time, in order.
 */
export class PipelineManager {
  private readonly running = new Map<string, Running>();
  /** Final counters of cameras no longer analysed (one entry per camera, so bounded). */
  private readonly retired = new Map<string, CameraStats>();
  private readonly pendingByCamera = new Map<string, Promise<void>>();
  private stopped = false;
  private readonly onChanged = ({ cameraId }: { cameraId: string }) => { void this.reconcile(cameraId); };

  constructor(private readonly d: PipelineManagerDeps) {}

  async start(): Promise<void> {
    this.d.ctx.events.on('camera.changed', this.onChanged);
    const enabled = await this.d.ctx.cameras.ids({ analyticsEnabled: true });
    await Promise.all(enabled.map((id) => this.reconcile(id)));
  }

  /** Brings one camera's pipeline in line with its row. */
  reconcile(cameraId: string): Promise<void> {
    const previous = this.pendingByCamera.get(cameraId) ?? Promise.resolve();
    const next = previous.then(() => this.apply(cameraId)).catch((error: unknown) => {
      this.d.ctx.log.error({ cameraId, err: error }, 'analytics could not follow a camera change');
    });
    this.pendingByCamera.set(cameraId, next);
    void next.finally(() => { if (this.pendingByCamera.get(cameraId) === next) this.pendingByCamera.delete(cameraId); });
    return next;
  }

  /** New zones take effect at once on a running camera. */
  setZones(cameraId: string, zones: CrowdZone[]): void {
    this.running.get(cameraId)?.pipeline.setZones(zones);
  }

  /** The latest crowd figures of each analysed camera (for /metrics and the heat map). */
  latestCrowd(cameraId?: string): Array<{ cameraId: string; crowd: NonNullable<CameraPipeline['latestCrowd']> }> {
    const out: Array<{ cameraId: string; crowd: NonNullable<CameraPipeline['latestCrowd']> }> = [];
    for (const [id, running] of this.running) {
      if (cameraId !== undefined && id !== cameraId) continue;
      const crowd = running.pipeline.latestCrowd;
      if (crowd) out.push({ cameraId: id, crowd });
    }
    return out;
  }

  stats(): CameraStats[] {
    const live = [...this.running.values()].map((r) => r.pipeline.stats());
    const liveIds = new Set(live.map((s) => s.cameraId));
    return [...live, ...[...this.retired.values()].filter((s) => !liveIds.has(s.cameraId))];
  }

  isRunning(cameraId: string): boolean {
    return this.running.has(cameraId);
  }

  /** Stops every camera (no ffmpeg left), handing every open pass to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.d.ctx.events.off('camera.changed', this.onChanged);
    await Promise.all([...this.pendingByCamera.values()]);
    await Promise.all([...this.running.keys()].map((id) => this.stopCamera(id)));
    await this.d.crowdRecorder.idle();
  }

  private async apply(cameraId: string): Promise<void> {
    const source = await this.d.ctx.cameras.analyticsSource(cameraId);
    const wanted = !this.stopped && source?.enabled === true;
    const fingerprint = source?.fingerprint ?? '';
    const current = this.running.get(cameraId);
    if (current && (!wanted || current.fingerprint !== fingerprint)) await this.stopCamera(cameraId);
    if (!wanted || this.running.has(cameraId)) return;
    const pipeline = new CameraPipeline({
      cameraId, config: this.d.config, source: this.d.source(), analyser: this.d.analyser,
      enqueuePass: (record) => this.d.enqueuePass(record), crowdSink: this.d.crowdRecorder,
      zones: await this.d.crowdStore.zonesOf(cameraId), imagesDir: this.d.imagesDir, supervisor: this.d.supervisor, log: this.d.ctx.log,
      onMotion: (at) => this.d.ctx.events.emit('analytics.motion', { cameraId, at }),
    });
    this.running.set(cameraId, { pipeline, fingerprint });
    pipeline.start();
    this.d.ctx.log.info({ cameraId }, 'analytics started for camera');
  }

  private async stopCamera(cameraId: string): Promise<void> {
    const current = this.running.get(cameraId);
    if (!current) return;
    this.running.delete(cameraId);
    await current.pipeline.stop();
    this.retired.set(cameraId, current.pipeline.stats());
    this.d.ctx.log.info({ cameraId }, 'analytics stopped for camera');
  }
}
