import type { Logger } from 'pino';
import type { CameraSupervisor } from '../../ingest/health/camera-supervisor.ts';
import type { PassRecordInput } from '../vocabulary/pass-record-input.ts';
import { estimateVehicleColour } from '../vehicles/vehicle-colour.ts';
import { travelDirection } from '../vehicles/travel-direction.ts';
import { VehicleTracker, type PlatelessVehicle, type VehicleTrack } from '../vehicles/vehicle-tracker.ts';
import { CrowdCounter, type CrowdCounts } from '../crowd/crowd-counter.ts';
import { cropDensity, type DensityMap } from '../crowd/density-map.ts';
import type { RawImage } from '../models/raw-image.ts';
import { CrowdMonitor, type CrowdSink } from '../crowd/crowd-monitor.ts';
import { contentRect, toPixelZones, type ContentRect, type CrowdZone } from '../crowd/crowd-zone.ts';
import type { AnalyticsConfig } from '../analytics-config.ts';
import type { AnalysisOutcome, FrameAnalyser } from './frame-analyser.ts';
import { FrameSampler } from './frame-sampler.ts';
import type { FrameSource } from './frame-source.ts';
import { MotionGate } from './motion-gate.ts';
import { encodePassJpegs, writePassJpegs, type PassJpegs } from './pass-images.ts';
import { passId, PassTracker, type TrackedPass } from './pass-tracker.ts';
import { emptyCounters, type CameraStats } from './pipeline-stats.ts';
import type { RawFrame } from './raw-frame-reader.ts';

/** Motion is announced at most this often per camera. */
const MOTION_EVENT_MS = 2_000;

export interface CameraPipelineDeps {
  cameraId: string;
  config: AnalyticsConfig;
  source: FrameSource;
  analyser: FrameAnalyser;
  enqueuePass(record: PassRecordInput): Promise<void>;
  crowdSink: CrowdSink;
  zones: CrowdZone[];
  imagesDir: string;
  /** Told whether frames flow. */
  supervisor: Pick<CameraSupervisor, 'framesChanged'>;
  /** The motion gate saw motion (at most every MOTION_EVENT_MS per camera): recording plans on motion start from it. */
  onMotion?(at: number): void;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

/**
 * Everything analytics does for one camera: sampled frames → motion gate → inference → pass tracker
 * (one pass per vehicle, best crop) and crowd monitor. Results are handled strictly in frame order
 * (workers may finish out of order) through one promise chain; each frame's buffer is held until its turn
 * is done, so the ring bounds memory and the chain length alike.
 */
export class CameraPipeline {
  readonly counters = emptyCounters();
  private readonly sampler: FrameSampler;
  private readonly gate: MotionGate;
  private readonly tracker: PassTracker;
  private readonly crowd: CrowdMonitor;
  private readonly jpegs = new Map<string, Promise<PassJpegs | undefined>>();
  private readonly handovers = new Set<Promise<void>>();
  private chain: Promise<void> = Promise.resolve();
  private zones: CrowdZone[];
  private rect: ContentRect;
  private lastCounts: Record<string, number> = {};
  private readonly counter: CrowdCounter;
  private readonly vehicles: VehicleTracker | undefined;
  /** The latest crowd figures and density map (over the camera picture), for the crowd page's heat map and /metrics. */
  latestCrowd: { at: number; counts: CrowdCounts; density?: { map: DensityMap; rect: ContentRect; at: number } } | undefined;
  private lastMotionAt = 0;

  constructor(private readonly d: CameraPipelineDeps) {
    const c = d.config;
    this.zones = d.zones;
    this.rect = { x: 0, y: 0, width: c.frameWidth, height: c.frameHeight };
    this.gate = new MotionGate({ cellDelta: c.motionCellDelta, minChangedFraction: c.motionMinChangedFraction, keepaliveMs: c.keepaliveSeconds * 1_000 });
    this.tracker = new PassTracker(d.cameraId, { gapMs: c.passGapSeconds * 1_000, minConfidence: c.minPlateConfidence, maxOpen: c.maxOpenPassesPerCamera });
    this.counter = new CrowdCounter(c.crowd);
    this.vehicles = c.platelessPasses
      ? new VehicleTracker({ gapMs: c.passGapSeconds * 1_000, minFrames: 3, frameHeight: c.frameHeight, maxOpen: c.maxOpenPassesPerCamera })
      : undefined;
    this.crowd = new CrowdMonitor(d.cameraId, c.crowdSampleSeconds * 1_000, d.crowdSink, { clearRatio: c.crowd.clearRatio, clearSeconds: c.crowd.clearSeconds });
    this.crowd.setZones(d.zones);
    this.sampler = new FrameSampler({
      cameraId: d.cameraId, source: d.source, ffmpegPath: c.ffmpegPath, sampleFps: c.sampleFps,
      width: c.frameWidth, height: c.frameHeight, inputTimeoutSeconds: c.inputTimeoutSeconds,
      ringSize: c.queueDepthPerCamera + Math.max(1, c.workers) + 3, log: d.log,
      onFrame: (frame, at) => this.onFrame(frame, at),
      onDropped: () => { this.counters.dropped++; this.counters.droppedNoBuffer++; },
      onSourceSize: (width, height) => { this.rect = contentRect(width, height, c.frameWidth, c.frameHeight); },
      onFlowing: (flowing, reason) => d.supervisor.framesChanged(d.cameraId, flowing, reason),
    });
  }

  start(): void {
    this.sampler.start();
  }

  setZones(zones: CrowdZone[]): void {
    this.zones = zones;
    this.crowd.setZones(zones);
    this.counter.reset();
  }

  stats(): CameraStats {
    return {
      cameraId: this.d.cameraId, ...this.counters, running: this.sampler.running, restarts: this.sampler.restarts, lastError: this.sampler.lastErrorLine,
      openPasses: this.tracker.openCount, freeBuffers: this.sampler.ring.available,
    };
  }

  /** Stops ffmpeg, lets queued frames finish, then closes every open pass and hands it over. */
  async stop(): Promise<void> {
    await this.sampler.stop();
    this.d.supervisor.framesChanged(this.d.cameraId, undefined, 'analytics stopped for the camera');
    await this.chain;
    for (const pass of this.tracker.flush()) this.handOver(pass);
    if (this.vehicles) this.closeVehicles(this.vehicles.flush());
    this.crowd.flush();
    await Promise.all([...this.handovers]);
  }

  private onFrame(frame: RawFrame, at: number): void {
    this.counters.sampled++;
    const { frameWidth: width, frameHeight: height } = this.d.config;
    const image: RawImage = { data: frame.slot.data, width, height, channels: 3 };
    const decision = this.gate.check(image.data, width, height, at);
    if (decision === 'motion' && at - this.lastMotionAt >= MOTION_EVENT_MS) {
      this.lastMotionAt = at;
      this.d.onMotion?.(at);
    }
    const analysis: Promise<AnalysisOutcome | 'static'> = decision === 'static' ? Promise.resolve('static') : this.d.analyser.analyse(this.d.cameraId, image, { density: this.counter.wantsDensity(at, this.zones.length > 0) });
    this.chain = this.chain
      .then(async () => this.handle(await analysis, image, at))
      .catch((error: unknown) => this.d.log.error({ cameraId: this.d.cameraId, err: error }, 'analytics frame handling failed'))
      .finally(() => this.sampler.release(frame));
  }

  private async handle(outcome: AnalysisOutcome | 'static', image: RawImage, at: number): Promise<void> {
    if (outcome === 'static') {
      this.counters.gated++;
      this.tracker.unchanged(at);
      this.vehicles?.unchanged(at);
      this.crowd.update(at, this.lastCounts);
    } else if (outcome.status === 'done') {
      this.counters.inferred++;
      const { improved, evicted } = this.tracker.observe(at, outcome.plates, outcome.objects);
      // Encode now, while this frame's buffer is still ours; files are written when the pass closes.
      for (const pass of improved) {
        if (pass.vehicle) pass.vehicleColour = estimateVehicleColour(image, pass.vehicle.box, pass.best.box)?.colour ?? pass.vehicleColour;
        const encoding = encodePassJpegs(image, pass.best.box, { quality: this.d.config.jpegQuality, sceneMaxWidth: this.d.config.sceneMaxWidth })
          .catch((error: unknown) => { this.d.log.warn({ cameraId: this.d.cameraId, err: error }, 'pass image encoding failed'); return undefined; });
        this.jpegs.set(pass.id, encoding);
        await encoding;
      }
      for (const pass of evicted) this.handOver(pass);
      for (const track of this.vehicles?.observe(at, outcome.objects, outcome.plates) ?? []) {
        track.colour = estimateVehicleColour(image, track.best.box)?.colour ?? track.colour;
        const key = vehicleKey(track);
        const encoding = encodePassJpegs(image, track.best.box, { quality: this.d.config.jpegQuality, sceneMaxWidth: this.d.config.sceneMaxWidth, margin: { x: 0.05, y: 0.05 } })
          .catch((error: unknown) => { this.d.log.warn({ cameraId: this.d.cameraId, err: error }, 'vehicle image encoding failed'); return undefined; });
        this.jpegs.set(key, encoding);
        await encoding;
      }
      const counts = this.counter.count(at, outcome.objects, toPixelZones(this.zones, this.rect), this.rect, outcome.density);
      const density = outcome.density ? { map: cropDensity(outcome.density, this.rect), rect: this.rect, at } : this.latestCrowd?.density;
      this.latestCrowd = { at, counts, density };
      this.lastCounts = counts.fused;
      this.crowd.update(at, this.lastCounts);
    } else if (outcome.status === 'dropped') {
      this.counters.dropped++;
    } else {
      this.counters.failed++;
      this.d.log.warn({ cameraId: this.d.cameraId, code: outcome.error.code, err: outcome.error }, 'frame analysis failed');
    }
    for (const pass of this.tracker.closeIdle(at)) this.handOver(pass);
    if (this.vehicles) this.closeVehicles(this.vehicles.closeIdle(at));
  }

  /** Closed vehicle tracks: the plateless ones become passes, the others drop their pictures. */
  private closeVehicles({ closed, plateless }: { closed: VehicleTrack[]; plateless: PlatelessVehicle[] }): void {
    const passing = new Set(plateless.map((p) => p.track));
    for (const track of closed) if (!passing.has(track)) this.jpegs.delete(vehicleKey(track));
    for (const vehicle of plateless) this.handOverDone(this.finishVehiclePass(vehicle), `vehicle track ${vehicle.track.id}`);
  }

  private async finishVehiclePass({ track, direction }: PlatelessVehicle): Promise<void> {
    const id = passId(this.d.cameraId, '', track.firstSeenAt);
    const jpegs = await this.jpegs.get(vehicleKey(track));
    this.jpegs.delete(vehicleKey(track));
    const paths = jpegs ? await writePassJpegs(this.d.imagesDir, id, track.bestAt, jpegs) : undefined;
    await this.d.enqueuePass({
      id, cameraId: this.d.cameraId, passedAt: track.bestAt,
      plate: '', plateColour: 'unknown', plateConfidence: 0, charConfidences: [],
      vehicleClass: track.className, vehicleColour: track.colour, direction,
      boxes: { plate: null, corners: null, vehicle: track.best.box, frame: { width: this.d.config.frameWidth, height: this.d.config.frameHeight } },
      cropImagePath: paths?.crop, sceneImagePath: paths?.scene,
    });
  }

  private handOver(pass: TrackedPass): void {
    this.handOverDone(this.finishPass(pass), pass.id);
  }

  private handOverDone(finishing: Promise<void>, what: string): void {
    const done = finishing.then(
      () => { this.counters.passes++; },
      (error: unknown) => {
        this.counters.passErrors++;
        this.d.log.error({ cameraId: this.d.cameraId, passId: what, err: error }, 'pass could not be queued');
      },
    ).finally(() => { this.handovers.delete(done); });
    this.handovers.add(done);
  }

  private async finishPass(pass: TrackedPass): Promise<void> {
    const jpegs = await this.jpegs.get(pass.id);
    this.jpegs.delete(pass.id);
    const paths = jpegs ? await writePassJpegs(this.d.imagesDir, pass.id, pass.bestAt, jpegs) : undefined;
    const best = pass.best;
    await this.d.enqueuePass({
      id: pass.id,
      cameraId: pass.cameraId,
      passedAt: pass.bestAt,
      plate: best.plate,
      plateColour: best.colour,
      plateConfidence: clampUnit(best.confidence),
      charConfidences: best.charConfidences.map(clampUnit),
      vehicleClass: pass.vehicle?.className,
      vehicleColour: pass.vehicleColour,
      direction: travelDirection(pass.firstBox, pass.lastBox, this.d.config.frameHeight),
      boxes: { plate: best.box, corners: best.corners, vehicle: pass.vehicle?.box ?? null, frame: { width: this.d.config.frameWidth, height: this.d.config.frameHeight } },
      cropImagePath: paths?.crop,
      sceneImagePath: paths?.scene,
    });
  }
}

const vehicleKey = (track: VehicleTrack) => `vehicle:${track.id}`;
const clampUnit = (v: number) => Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
