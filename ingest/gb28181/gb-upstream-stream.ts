import type { Logger } from 'pino';
import { annexbStreamArgs } from '../ffmpeg/annexb-stream-args.ts';
import { FfmpegRunner } from '../ffmpeg/ffmpeg-runner.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import { AnnexBSplitter } from './ps-muxer.ts';
import { UpstreamRtpSender } from './upstream-rtp-sender.ts';

export interface UpstreamOptions {
  relay: Pick<RelayPool, 'acquire'>;
  cameraId: string;
  target: { host: string; port: number };
  ssrc: number;
  ffmpegPath: string;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

/**
 * One channel sent to the upper platform: a relay lease (the camera is still pulled once), ffmpeg copying
 * the relay's H.264 to Annex-B, cut into frames, packed as PS and sent as RTP over UDP to the address in the
 * upper's SDP, with the SSRC agreed in the answer. Stops on BYE or when the share is withdrawn.
 */
export class GbUpstreamStream {
  private sender: UpstreamRtpSender | undefined;
  private ffmpeg: FfmpegRunner | undefined;

  get packetsSent(): number {
    return this.sender?.packetsSent ?? 0;
  }

  constructor(private readonly o: UpstreamOptions) {}

  start(): void {
    const sender = new UpstreamRtpSender(this.o.target, this.o.ssrc);
    this.sender = sender;
    const splitter = new AnnexBSplitter();
    const ffmpeg = new FfmpegRunner({
      ffmpegPath: this.o.ffmpegPath, name: `ffmpeg:gb-upstream:${this.o.cameraId}`, rawStdout: true, logger: this.o.log,
      restart: { initialDelayMs: 500, maxDelayMs: 10_000 },
      // A fresh lease (and one-time local URL) for every run; released when the run ends.
      args: async () => {
        const lease = await this.o.relay.acquire(this.o.cameraId, 'gb28181:upper');
        return { ...annexbStreamArgs(lease.url, 10), release: () => lease.release() };
      },
    });
    ffmpeg.on('stdout', (stream) => stream.on('data', (chunk: Buffer) => splitter.push(chunk, (unit, key) => sender.sendFrame(unit, key))));
    this.ffmpeg = ffmpeg;
    ffmpeg.start();
  }

  async stop(): Promise<void> {
    await this.ffmpeg?.stop();
    this.sender?.close();
    this.sender = undefined;
  }
}
