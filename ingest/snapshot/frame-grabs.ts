import { DomainError } from '../../api/kernel/errors/domain-error.ts';

export interface FrameGrabLimits {
  /** Grabs the whole hub runs at once. */
  maxConcurrentGrabs: number;
  /** Grabs one user has started and that still run. */
  maxConcurrentPerUser: number;
  /** How long a grabbed frame answers further requests for the same camera. */
  frameCacheMs: number;
}

interface CachedFrame<T> {
  value: T;
  timer: NodeJS.Timeout;
}

/**
 * Bounds the expensive part of a still, the grab (an ffmpeg pull or a snapshot-URI fetch), issue 13 #4:
 * one grab per camera at a time, joined by every request for that camera whatever it does with the frame
 * (each width is resized from the one frame), the frame kept `frameCacheMs` for the requests right after,
 * and at most `maxConcurrentGrabs` grabs hub-wide and `maxConcurrentPerUser` started by one user. A request
 * that would start a grab over either limit is refused at once (SNAPSHOT_BUSY, 429) rather than queued, so a
 * burst cannot pile up waiting work. Joining a running grab or reading the cache costs no slot.
 */
export class FrameGrabs<T> {
  private readonly running = new Map<string, Promise<T>>();
  private readonly perUser = new Map<string, number>();
  private readonly cache = new Map<string, CachedFrame<T>>();

  constructor(private readonly limits: () => FrameGrabLimits) {}

  /** The camera's frame: cached, the grab already running, or a new grab by `userId` within the limits. */
  frame(cameraId: string, userId: string, grab: () => Promise<T>): Promise<T> {
    const cached = this.cache.get(cameraId);
    if (cached) return Promise.resolve(cached.value);
    const running = this.running.get(cameraId);
    if (running) return running;
    const { maxConcurrentGrabs, maxConcurrentPerUser } = this.limits();
    if (this.running.size >= maxConcurrentGrabs) {
      throw new DomainError('SNAPSHOT_BUSY', `the hub is taking ${this.running.size} camera stills already; try again shortly`);
    }
    const mine = this.perUser.get(userId) ?? 0;
    if (mine >= maxConcurrentPerUser) {
      throw new DomainError('SNAPSHOT_BUSY', `you have ${mine} camera stills being taken already; try again shortly`);
    }
    this.perUser.set(userId, mine + 1);
    const pending = (async () => {
      try {
        const value = await grab();
        this.remember(cameraId, value);
        return value;
      } finally {
        this.running.delete(cameraId);
        const left = (this.perUser.get(userId) ?? 1) - 1;
        if (left > 0) this.perUser.set(userId, left);
        else this.perUser.delete(userId);
      }
    })();
    this.running.set(cameraId, pending);
    return pending;
  }

  /** Grabs running now (for tests and metrics). */
  get runningCount(): number {
    return this.running.size;
  }

  /** Drops every cached frame (at shutdown, or when a camera's stream changes). */
  forget(cameraId?: string): void {
    for (const [id, cached] of this.cache) {
      if (cameraId !== undefined && id !== cameraId) continue;
      clearTimeout(cached.timer);
      this.cache.delete(id);
    }
  }

  private remember(cameraId: string, value: T): void {
    const { frameCacheMs } = this.limits();
    if (frameCacheMs <= 0) return;
    this.forget(cameraId);
    // A timer rather than a check on read: frames can be megabytes, and a camera nobody asks again must not keep one.
    const timer = setTimeout(() => this.cache.delete(cameraId), frameCacheMs);
    timer.unref();
    this.cache.set(cameraId, { value, timer });
  }
}
