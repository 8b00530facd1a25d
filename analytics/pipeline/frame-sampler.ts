import type { Logger } from 'pino';
import type { BackoffPolicy } from '../../api/kernel/process/backoff.ts';
import { FfmpegRunner } from '../../ingest/ffmpeg/ffmpeg-runner.ts';
import { videoPictureSize } from '../../ingest/ffmpeg/ffmpeg-stderr.ts';
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
  /** Frames flow again (the first frame of a run), or stopped (the run ended or stalled): for the camera supervisor. */
  onFlowing?(flowing: boolean, reason: string): void;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000 };

/**
 * One ffmpeg per analysed camera, turning its stream into sampled raw RGB frames. Each run takes a fresh
 * source lease (the relay URL or the camera URL, whichever applies now) through the ffmpeg runner, whose
 * watchdog kills a run with no frame for twice the input timeout and whose backoff restarts it.
 * stop() leaves no process behind.
 */
export class FrameSampler {
  readonly ring: FrameRing;
  private readonly ffmpeg: FfmpegRunner;
  private reader: RawFrameReader;
  private stopped = true;
  private flowing = false;
  private lastError = '';

  constructor(private readonly o: FrameSamplerOptions) {
    this.ring = new FrameRing(o.width * o.height * 3, o.ringSize);
    this.reader = new RawFrameReader(this.ring, (frame) => this.frameArrived(frame), () => o.onDropped());
    const { cameraId, log } = o;
    const stallMs = o.inputTimeoutSeconds * 2_000 + 2_000 / o.sampleFps;
    let source = '';
    this.ffmpeg = new FfmpegRunner({
      ffmpegPath: o.ffmpegPath, name: `ffmpeg:analytics:${cameraId}`, rawStdout: true, logger: log,
      restart: { ...(o.backoff ?? DEFAULT_BACKOFF), stableAfterMs: 10_000 },
      stall: { afterMs: stallMs, checkEveryMs: Math.min(stallMs, 5_000) },
      args: async () => {
        const lease = await o.source.acquire(cameraId);
        try {
          const command = samplerArgs({ url: lease.url, sampleFps: o.sampleFps, width: o.width, height: o.height, inputTimeoutSeconds: o.inputTimeoutSeconds });
          source = this.ffmpeg.scrub(lease.url);
          return { ...command, release: () => lease.release() };
        } catch (error) {
          lease.release();
          throw error;
        }
      },
    });
    this.ffmpeg.on('prepareFailed', (error) => log.warn({ cameraId, err: error }, 'analytics source unavailable or refused; retrying'));
    this.ffmpeg.on('stdout', (stream) => stream.on('data', (chunk: Buffer) => this.reader.push(chunk)));
    let sourceSizeSeen = false;
    this.ffmpeg.on('spawn', () => { sourceSizeSeen = false; });
    this.ffmpeg.on('stderrLine', (line) => {
      // The first "Video: …, WxH" line describes the input stream (the output's comes later).
      const size = sourceSizeSeen ? undefined : videoPictureSize(line);
      if (size) {
        sourceSizeSeen = true;
        o.onSourceSize?.(size.width, size.height);
        return;
      }
      if (/error|fail|invalid|refused|timed out|not found|unauthori[sz]ed/i.test(line)) this.lastError = line.slice(0, 300);
    });
    this.ffmpeg.on('stalled', () => this.setFlowing(false, `no frame for ${stallMs} ms`));
    this.ffmpeg.on('exit', (code, signal) => {
      this.reader.reset();
      this.setFlowing(false, 'sampler ffmpeg exited');
      if (!this.stopped) log.warn({ cameraId, code, signal, source, error: this.lastError }, 'analytics ffmpeg exited; restarting');
    });
  }

  get running(): boolean {
    return this.ffmpeg.running;
  }

  get restarts(): number {
    return this.ffmpeg.restarts;
  }

  /** The last ffmpeg error line, for the stats (scrubbed of the input URL's credentials and signature). */
  get lastErrorLine(): string {
    return this.lastError;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.ffmpeg.start();
  }

  release(frame: RawFrame): void {
    this.ring.release(frame.slot);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.ffmpeg.stop();
    this.reader.reset();
  }

  private setFlowing(flowing: boolean, reason: string): void {
    if (this.flowing === flowing) return;
    this.flowing = flowing;
    this.o.onFlowing?.(flowing, reason);
  }

  private frameArrived(frame: RawFrame): void {
    const at = Date.now();
    this.ffmpeg.progress(at);
    if (this.stopped) {
      this.ring.release(frame.slot);
      return;
    }
    this.setFlowing(true, 'frames arriving');
    this.o.onFrame(frame, at);
  }
}
