import type { Logger } from 'pino';
import { annexbStreamArgs } from '../ffmpeg/annexb-stream-args.ts';
import { FfmpegRunner } from '../ffmpeg/ffmpeg-runner.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import { AnnexBSplitter, muxPsFrame, rtpPacketsOf } from './ps-muxer.ts';
import type { UpstreamMedia } from './gb-upstream-media.ts';

export interface UpstreamOptions {
  relay: Pick<RelayPool, 'acquire'>;
  cameraId: string;
  /** Where the RTP goes (UDP, or TCP with RFC 4571 framing); started here, closed on stop. */
  media: UpstreamMedia;
  ssrc: number;
  ffmpegPath: string;
  log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;
}

/**
 * One channel sent to the upper platform: a relay lease (the camera is still pulled once), ffmpeg copying
 * the relay's H.264 to Annex-B, cut into frames, packed as PS and sent as RTP (UDP, or TCP either way round) as the
 * upper's SDP asked, with the SSRC agreed in the answer. Stops on BYE or when the share is withdrawn.
 */
export class GbUpstreamStream {
  private sending = false;
  private ffmpeg: FfmpegRunner | undefined;
  private seq = Math.floor(Math.random() * 60_000);
  private readonly startedAt = Date.now();
  packetsSent = 0;

  constructor(private readonly o: UpstreamOptions) {}

  start(): void {
    this.o.media.start();
    this.sending = true;
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
    ffmpeg.on('stdout', (stream) => stream.on('data', (chunk: Buffer) => splitter.push(chunk, (unit, key) => this.send(unit, key))));
    this.ffmpeg = ffmpeg;
    ffmpeg.start();
  }

  private send(unit: Buffer, key: boolean): void {
    if (!this.sending) return;
    const pts = Math.round((Date.now() - this.startedAt) * 90);
    const { packets, nextSeq } = rtpPacketsOf(muxPsFrame(unit, pts, key), { ssrc: this.o.ssrc, seq: this.seq, timestamp: pts });
    this.seq = nextSeq;
    this.o.media.send(packets);
    this.packetsSent += packets.length;
  }

  async stop(): Promise<void> {
    await this.ffmpeg?.stop();
    this.sending = false;
    this.o.media.close();
  }
}
