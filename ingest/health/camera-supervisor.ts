import type { Logger } from 'pino';
import type { CameraStatus } from '../../api/kernel/db/tables/index.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import type { CheckResult } from './camera-check.ts';

/** What the relay's pull of a camera is doing. */
export type PullState = 'running' | 'stalled' | 'stopped';

/** Everything the hub currently knows about one camera being alive, from each of its three feeds. */
interface CameraLiveness {
  /** The camera's status as last decided here (undefined until the first probe since start). */
  status: CameraStatus | undefined;
  /** The relay's pull: running (segments flowing), stalled (ffmpeg exited or made no progress), or none. */
  pull: PullState;
  /** The analytics sampler: frames flowing, stalled, or no sampler. */
  frames: 'flowing' | 'stalled' | 'none';
  /** The last reason any feed gave, with when it was given. */
  reason: string;
  at: number;
  /** When a disagreeing report last asked for a probe. */
  reprobedAt: number;
}

/** A flapping pull asks for at most one extra probe per camera in this time. */
const REPROBE_MIN_MS = 5_000;

type Log = Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;

/**
 * The one owner of a camera's status: the only writer of `cameras.status` (through the registry, which
 * emits camera.status for the history and the SSE stream). Fed by the health probe, the relay (pull
 * running or stalled) and the analytics sampler (frames flowing or stalled).
 *
 * The probe decides the status (online, offline after a failed probe, auth_failed). The relay and the
 * sampler report what their ffmpeg sees; a report that disagrees with the status (a stalled pull of an
 * online camera, a running pull of an offline one) asks the probe to check the camera now, so the status
 * follows within one probe instead of one health interval, yet a relay or sampler hiccup the camera had no
 * part in never turns it offline by itself.
 */
export class CameraSupervisor {
  private readonly cameras = new Map<string, CameraLiveness>();
  private probeNow: ((cameraId: string) => void) | undefined;

  constructor(private readonly registry: Pick<CameraRegistry, 'setStatus' | 'setStatuses'>, private readonly log: Log) {}

  /** The health monitor's way to probe a camera at once (undefined while it is stopped). */
  useProbe(probeNow: ((cameraId: string) => void) | undefined): void {
    this.probeNow = probeNow;
  }

  /** A health probe's verdict: records it as the camera's status; resolves with the previous status. */
  async probed(cameraId: string, result: CheckResult, at = Date.now()): Promise<CameraStatus> {
    const previous = await this.registry.setStatus(cameraId, result.status, result.reason, at);
    const entry = this.entry(cameraId, at);
    entry.status = result.status;
    this.note(entry, result.reason, at);
    if (previous !== result.status) this.log.info({ cameraId, status: result.status, previous, reason: result.reason }, 'camera status changed');
    return previous;
  }

  /** Verdicts on many cameras at once (a GB/T 28181 device's channels), written in one transaction. */
  async probedMany(results: Array<{ cameraId: string; result: CheckResult }>, at = Date.now()): Promise<void> {
    const previous = await this.registry.setStatuses(results.map(({ cameraId, result }) => ({ id: cameraId, status: result.status, reason: result.reason })), at);
    results.forEach(({ cameraId, result }, i) => {
      if (previous[i] === undefined) return;
      const entry = this.entry(cameraId, at);
      entry.status = result.status;
      this.note(entry, result.reason, at);
      if (previous[i] !== result.status) this.log.info({ cameraId, status: result.status, previous: previous[i], reason: result.reason }, 'camera status changed');
    });
  }

  /** The relay's report on its pull of the camera. */
  pullChanged(cameraId: string, pull: PullState, reason: string, at = Date.now()): void {
    const entry = this.entry(cameraId, at);
    if (entry.pull === pull) return;
    entry.pull = pull;
    this.note(entry, reason, at);
    if (pull === 'stalled' && entry.status === 'online') this.log.warn({ cameraId, reason }, 'relay pull stalled while the camera probes online');
    this.reprobeIfDisagreeing(cameraId, entry, pull === 'running', pull === 'stalled', at);
  }

  /** The analytics sampler's report: frames flowing (true) or not (false); `undefined` when the sampler stopped. */
  framesChanged(cameraId: string, flowing: boolean | undefined, reason: string, at = Date.now()): void {
    const entry = this.entry(cameraId, at);
    const frames = flowing === undefined ? 'none' : flowing ? 'flowing' : 'stalled';
    if (entry.frames === frames) return;
    entry.frames = frames;
    this.note(entry, reason, at);
    if (frames === 'stalled' && entry.status === 'online') this.log.warn({ cameraId, reason }, 'analytics frames stalled while the camera probes online');
    this.reprobeIfDisagreeing(cameraId, entry, frames === 'flowing', frames === 'stalled', at);
  }

  /** The camera was removed. */
  forget(cameraId: string): void {
    this.cameras.delete(cameraId);
  }

  /** Video flowing from a camera that probes offline, or stalling on one that probes online: probe it now (at most every REPROBE_MIN_MS). */
  private reprobeIfDisagreeing(cameraId: string, entry: CameraLiveness, flowing: boolean, stalled: boolean, at: number): void {
    const disagrees = (flowing && entry.status !== undefined && entry.status !== 'online') || (stalled && entry.status === 'online');
    if (!disagrees || !this.probeNow || at - entry.reprobedAt < REPROBE_MIN_MS) return;
    entry.reprobedAt = at;
    this.probeNow(cameraId);
  }

  private entry(cameraId: string, at: number): CameraLiveness {
    let entry = this.cameras.get(cameraId);
    if (!entry) {
      entry = { status: undefined, pull: 'stopped', frames: 'none', reason: '', at, reprobedAt: Number.NEGATIVE_INFINITY };
      this.cameras.set(cameraId, entry);
    }
    return entry;
  }

  private note(entry: CameraLiveness, reason: string, at: number): void {
    entry.reason = reason;
    entry.at = at;
  }
}
