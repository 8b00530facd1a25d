import type { CameraStatus } from '../../api/kernel/db/tables/index.ts';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { backoffDelay } from '../../api/kernel/process/backoff.ts';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import type { CameraRegistry } from '../registry/camera-registry.ts';
import { checkCamera } from './camera-check.ts';
import type { CameraSupervisor } from './camera-supervisor.ts';

const FIRST_CHECK_SPREAD_MS = 3_000;

/** What one turn of a camera's loop did: recorded a status, left the camera to its owner node, or nothing more to do. */
type CheckOutcome = CameraStatus | 'elsewhere' | undefined;

interface Watch {
  checks: PeriodicTask<CheckOutcome>;
  /** Consecutive failed checks: the exponent of the reconnect backoff. */
  failures: number;
}

/**
 * Checks every camera on its own loop: every healthIntervalMs while online; while offline or refusing
 * the credentials, again after an exponential backoff with jitter (reconnectInitialMs … reconnectMaxMs),
 * so a dead site is not hammered and many cameras failing together do not retry in lock-step. Verdicts go
 * to the camera supervisor, the one writer of a camera's status. Follows camera.changed events.
 */
export class HealthMonitor {
  private readonly watches = new Map<string, Watch>();
  private stopped = true;
  private readonly onChanged = (event: { cameraId: string; change: 'created' | 'updated' | 'deleted' }) => {
    if (this.stopped) return;
    if (event.change === 'deleted') this.unwatch(event.cameraId);
    else if (event.change === 'updated') this.schedule(event.cameraId, 0);
    // A bulk adoption or import creates many cameras at once: spread their first checks out.
    else this.schedule(event.cameraId, Math.floor(Math.random() * Math.min(FIRST_CHECK_SPREAD_MS, this.ctx.config.ingest.healthIntervalMs)));
  };

  constructor(private readonly ctx: HubContext, private readonly registry: CameraRegistry, private readonly supervisor: CameraSupervisor) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.ctx.events.on('camera.changed', this.onChanged);
    this.supervisor.useProbe((cameraId) => {
      if (this.stopped) return;
      this.checkNow(cameraId).catch((error: Error) => this.ctx.log.warn({ err: error, cameraId }, 'camera re-check failed'));
    });
    const cameras = await this.ctx.cameras.ids();
    // Spread the first round out, so a restart does not probe every camera in the same instant.
    const spread = Math.min(FIRST_CHECK_SPREAD_MS, this.ctx.config.ingest.healthIntervalMs);
    for (const id of cameras) this.schedule(id, Math.floor(Math.random() * spread));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.supervisor.useProbe(undefined);
    this.ctx.events.off('camera.changed', this.onChanged);
    const watches = [...this.watches.values()];
    this.watches.clear();
    await Promise.allSettled(watches.map((watch) => watch.checks.stop()));
  }

  /** Runs a check now (after the one in flight, if any) and resumes the loop after it; resolves with the status it recorded. */
  async checkNow(cameraId: string): Promise<CameraStatus | undefined> {
    const outcome = await this.watchOf(cameraId).checks.runNow();
    return outcome === 'elsewhere' ? undefined : outcome;
  }

  private watchOf(cameraId: string): Watch {
    let watch = this.watches.get(cameraId);
    if (!watch) {
      const created: Watch = {
        failures: 0,
        checks: new PeriodicTask({
          run: () => this.checkOnce(cameraId),
          everyMs: (status) => this.nextCheckIn(status, created),
          // checkOnce records its own failures as 'offline'; only the unexpected lands here.
          onError: (error) => this.ctx.log.warn({ err: error, cameraId }, 'camera health check failed'),
        }),
      };
      watch = created;
      this.watches.set(cameraId, watch);
    }
    return watch;
  }

  /** Online: the regular interval; otherwise the reconnect backoff; no status (camera gone, monitor stopped): no next check. */
  private nextCheckIn(status: CheckOutcome, watch: Watch): number | undefined {
    if (status === undefined || this.stopped) return undefined;
    const { ingest } = this.ctx.config;
    // Another node's camera: looked at again each interval, in case the camera has moved here since.
    if (status === 'online' || status === 'elsewhere') {
      watch.failures = 0;
      return ingest.healthIntervalMs;
    }
    return backoffDelay({ initialDelayMs: ingest.reconnectInitialMs, maxDelayMs: ingest.reconnectMaxMs }, watch.failures++);
  }

  private schedule(cameraId: string, delayMs: number): void {
    if (this.stopped) return;
    this.watchOf(cameraId).checks.start(delayMs);
  }

  private unwatch(cameraId: string): void {
    void this.watches.get(cameraId)?.checks.stop();
    this.watches.delete(cameraId);
    this.supervisor.forget(cameraId);
  }

  private async checkOnce(cameraId: string): Promise<CheckOutcome> {
    // In a cluster only the node holding the camera's lease probes it (and pulls it): every node probing
    // would multiply each camera's connections by the number of nodes. Asked before the database is read,
    // so the other nodes' loops cost no query.
    const cluster = this.ctx.cluster;
    if (cluster && !cluster.ownership.owns(cameraId)) return 'elsewhere';
    try {
      const camera = await this.registry.get(cameraId);
      // Nothing to probe: a GB/T 28181 channel's status follows its device's registration and keepalives, a
      // GA/T 1400 卡口 device (no stream) follows its peer's session.
      if (camera.source === 'gb28181' || !camera.stream_url) return undefined;
      const { ingest } = this.ctx.config;
      const result = await checkCamera(camera, this.ctx.cameras.credentialsOf(camera), { timeoutMs: ingest.requestTimeoutMs, maxBytes: ingest.maxResponseBytes });
      if (this.stopped) return undefined;
      await this.supervisor.probed(cameraId, result);
      return result.status;
    } catch (error) {
      if (error instanceof HubError && error.code === 'CAMERA_NOT_FOUND') {
        this.unwatch(cameraId);
        return undefined;
      }
      this.ctx.log.warn({ err: error, cameraId }, 'camera health check failed');
      return 'offline';
    }
  }
}
