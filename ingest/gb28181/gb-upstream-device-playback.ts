import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { GbLiveFeeds } from './gb-live-feeds.ts';
import type { GbLiveSession } from './gb-live-session.ts';
import { UpstreamRtpSender } from './upstream-rtp-sender.ts';

export interface UpstreamDevicePlaybackOptions {
  feeds: Pick<GbLiveFeeds, 'preparePlayback' | 'forgetPlayback' | 'openFeed'>;
  cameraId: string;
  range: { start: number; end: number };
  target: { host: string; port: number };
  ssrc: number;
  log: Pick<Logger, 'warn'>;
  /** The device finished the recording (MediaStatus 121, its BYE or silence); not called after stop(). */
  onEnd: () => void;
}

/**
 * A recording held on the channel's own device, played to the upper platform when the hub has none of the
 * range: the device is INVITEd with `s=Playback` (GbLiveSession, as for our own viewers) and its PS payloads
 * are passed on as they come, re-sent as RTP with the SSRC agreed with the upper. No relay and no ffmpeg:
 * the PS is already what the upper wants.
 */
export class GbUpstreamDevicePlayback {
  private sender: UpstreamRtpSender | undefined;
  private session: GbLiveSession | undefined;
  private streamId: string | undefined;
  private watch: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: UpstreamDevicePlaybackOptions) {}

  get packetsSent(): number {
    return this.sender?.packetsSent ?? 0;
  }

  start(): void {
    void this.open().catch((error: Error) => {
      this.o.log.warn({ err: error, cameraId: this.o.cameraId }, 'GB28181 device playback for the upper platform failed');
      if (!this.stopped) this.o.onEnd();
    });
  }

  private async open(): Promise<void> {
    const sender = new UpstreamRtpSender(this.o.target, this.o.ssrc);
    this.sender = sender;
    this.streamId = this.o.feeds.preparePlayback(this.o.cameraId, this.o.range);
    const session = (await this.o.feeds.openFeed(this.streamId)) as GbLiveSession | undefined;
    if (!session) throw new Error('the camera is not a GB/T 28181 channel');
    this.session = session;
    if (this.stopped) return void (await this.close());
    session.attach(new Writable({ write: (chunk: Buffer, _encoding, done) => { sender.sendPs(chunk); done(); } }));
    this.watch = setInterval(() => {
      if (!session.finished || this.stopped) return;
      clearInterval(this.watch);
      this.o.onEnd();
    }, 250);
  }

  private async close(): Promise<void> {
    clearInterval(this.watch);
    await this.session?.close();
    this.session = undefined;
    if (this.streamId) this.o.feeds.forgetPlayback(this.streamId);
    this.sender?.close();
    this.sender = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.close();
  }
}
