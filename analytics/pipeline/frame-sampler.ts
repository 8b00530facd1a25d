import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from '../../api/process/backoff.ts';
import { SupervisedProcess } from '../../api/process/supervised-process.ts';
import { scrubCredentials, videoPictureSize } from '../../ingest/ffmpeg/ffmpeg-stderr.ts';
import { samplerArgs } from '../../ingest/ffmpeg/sampler-args.ts';
import type { FrameSource, FrameSourceLease } from './frame-source.ts';
import { FrameRing } from './frame-ring.ts';
import { RawFrameReader, type RawFrame } from './raw-frame-reader.ts';

export interface FrameSamplerOptions {
  cameraId: string;
  source: FrameSource;
  ffmpegPath: string;
  sampleFps: number;
  width: number;
  height: number;
  inputTimeoutSeconds: number;
  /** Frame buffers in the ring (bounded memory: ringSize × width × height × 3 bytes). */
  ringSize: number;
  backoff?: BackoffPolicy;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
  /** A sampled frame; the receiver must call `release(frame.slot)` when done with it. */
  onFrame(frame: RawFrame, at: number): void;
  /** A frame skipped because every ring slot was busy. */
  onDropped(): void;
  /** The camera's own picture size (from ffmpeg's input description), to place zones inside the padded frame. */
  onSourceSize?(width: number, height: number): void;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * One ffmpeg per analysed camera, turning its stream into sampled raw RGB frames. Each run takes a fresh
 * source lease (the relay URL or the camera URL, whichever applies now); when ffmpeg exits or stalls
 * (no frame for twice the input timeout) it is restarted with backoff. stop() leaves no process behind.
 */
export class FrameSampler {
  readonly ring: FrameRing;
  private process: SupervisedProcess | undefined;
  private lease: FrameSourceLease | undefined;
  private reader: RawFrameReader;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastFrameAt = 0;
  private runStartedAt = 0;
  private lastError = '';
  restarts = 0;

  constructor(private readonly o: FrameSamplerOptions) {
    this.ring = new FrameRing(o.width * o.height * 3, o.ringSize);
    this.reader = new RawFrameReader(this.ring, (frame) => this.frameArrived(frame), () => o.onDropped());
  }

  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** The last ffmpeg error line, for the stats (never contains the URL's credentials: ffmpeg is told the URL only). */
  get lastErrorLine(): string {
    return this.lastError;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.run();
  }

  release(frame: RawFrame): void {
    this.ring.release(frame.slot);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.retryTimer = undefined;
    this.watchdog = undefined;
    const process = this.process;
    this.process = undefined;
    await process?.stop();
    this.reader.reset();
    this.lease?.release();
    this.lease = undefined;
  }

  private async run(): Promise<void> {
    const { cameraId, log } = this.o;
    let lease: FrameSourceLease;
    try {
      lease = await this.o.source.acquire(cameraId);
    } catch (error) {
      log.warn({ cameraId, err: error }, 'analytics source unavailable; retrying');
      this.scheduleRetry();
      return;
    }
    if (this.stopped) {
      lease.release();
      return;
    }
    let args: string[];
    try {
      args = samplerArgs({ url: lease.url, sampleFps: this.o.sampleFps, width: this.o.width, height: this.o.height, inputTimeoutSeconds: this.o.inputTimeoutSeconds });
    } catch (error) {
      lease.release();
      log.warn({ cameraId, err: error }, 'analytics source refused; retrying');
      this.scheduleRetry();
      return;
    }
    this.lease = lease;
    const process = new SupervisedProcess({ name: `ffmpeg:analytics:${cameraId}`, command: this.o.ffmpegPath, args, rawStdout: true, stopTimeoutMs: 3_000, logger: log });
    this.process = process;
    process.on('stdout', (stream) => stream.on('data', (chunk: Buffer) => this.reader.push(chunk)));
    let sourceSizeSeen = false;
    process.on('stderrLine', (line) => {
      // The first "Video: …, WxH" line describes the input stream (the output's comes later).
      const size = sourceSizeSeen ? undefined : videoPictureSize(line);
      if (size) {
        sourceSizeSeen = true;
        this.o.onSourceSize?.(size.width, size.height);
        return;
      }
      // ffmpeg echoes the input URL in some errors; keep only a redacted form.
      if (/error|fail|invalid|refused|timed out|not found|unauthori[sz]ed/i.test(line)) this.lastError = scrubCredentials(line, [lease.url]).slice(0, 300);
    });
    process.once('exit', (code, signal) => {
      if (this.process !== process) return;
      if (this.watchdog) clearInterval(this.watchdog);
      this.process = undefined;
      this.reader.reset();
      this.lease?.release();
      this.lease = undefined;
      if (this.stopped) return;
      log.warn({ cameraId, code, signal, source: scrubCredentials(lease.url, [lease.url]), error: this.lastError }, 'analytics ffmpeg exited; restarting');
      this.scheduleRetry();
    });
    this.runStartedAt = Date.now();
    this.lastFrameAt = this.runStartedAt;
    process.start();
    const stallMs = this.o.inputTimeoutSeconds * 2_000 + 2_000 / this.o.sampleFps;
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastFrameAt > stallMs) {
        log.warn({ cameraId, stallMs }, 'analytics ffmpeg produced no frame; killing it');
        void process.kill('SIGKILL');
      }
    }, Math.min(stallMs, 5_000));
    this.watchdog.unref();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    // A run that delivered frames for a while resets the backoff.
    if (this.lastFrameAt - this.runStartedAt > 10_000) this.attempt = 0;
    const delay = backoffDelay(this.o.backoff ?? DEFAULT_BACKOFF, this.attempt++);
    this.restarts++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) void this.run();
    }, delay);
    this.retryTimer.unref();
  }

  private frameArrived(frame: RawFrame): void {
    this.lastFrameAt = Date.now();
    if (this.stopped) {
      this.ring.release(frame.slot);
      return;
    }
    this.o.onFrame(frame, this.lastFrameAt);
  }
}
