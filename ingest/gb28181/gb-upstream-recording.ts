import type { Logger } from 'pino';
import { runFfmpegOnce } from '../ffmpeg/ffmpeg-run.ts';
import { recordedAnnexbArgs } from '../ffmpeg/recorded-annexb-args.ts';
import { AnnexBSplitter } from './ps-muxer.ts';
import { UpstreamRtpSender } from './upstream-rtp-sender.ts';

export interface UpstreamRecordingOptions {
  /** Absolute paths of the recorded segments covering the range, oldest first. */
  files: string[];
  /** Where the asked range starts inside the first segment, and how long it is (ms). */
  inpointMs: number;
  durationMs: number;
  target: { host: string; port: number };
  ssrc: number;
  ffmpegPath: string;
  log: Pick<Logger, 'warn'>;
  /** The range was sent to its end (not called after stop()). */
  onEnd: () => void;
}

/**
 * A range of the hub's own recordings played to the upper platform (its `s=Playback` INVITE): one ffmpeg run
 * reading the segments at their own pace, its H.264 cut into frames, packed as PS and sent as RTP. When ffmpeg
 * reaches the end of the range the upper is told (MediaStatus 121, by the caller).
 */
export class GbUpstreamRecording {
  private sender: UpstreamRtpSender | undefined;
  private readonly abort = new AbortController();
  private run: Promise<void> | undefined;

  constructor(private readonly o: UpstreamRecordingOptions) {}

  get packetsSent(): number {
    return this.sender?.packetsSent ?? 0;
  }

  start(): void {
    const sender = new UpstreamRtpSender(this.o.target, this.o.ssrc);
    this.sender = sender;
    const splitter = new AnnexBSplitter();
    const { args, stdin } = recordedAnnexbArgs(this.o.files, this.o.inpointMs / 1_000, this.o.durationMs / 1_000);
    this.run = runFfmpegOnce({
      name: 'ffmpeg:gb-upstream-recording', args, stdin, ffmpegPath: this.o.ffmpegPath, signal: this.abort.signal,
      // Real time plus room for a slow start on a loaded machine.
      timeoutMs: this.o.durationMs + 60_000, startErrorCode: 'GB_UPSTREAM_FFMPEG_START',
      onStdout: (chunk) => splitter.push(chunk, (unit, key) => sender.sendFrame(unit, key)),
    }).then((result) => {
      if (result.aborted) return;
      if (result.code !== 0) this.o.log.warn({ code: result.code, timedOut: result.timedOut, stderr: result.stderr.slice(0, 5) }, 'GB28181 recording playback to the upper platform ended early');
      this.o.onEnd();
    }, (error: Error) => {
      this.o.log.warn({ err: error }, 'GB28181 recording playback to the upper platform failed');
      if (!this.abort.signal.aborted) this.o.onEnd();
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.run;
    this.sender?.close();
    this.sender = undefined;
  }
}
