import type { UpstreamMedia } from './gb-upstream-media.ts';
import { muxPsFrame, rtpPacketsOf } from './ps-muxer.ts';

/**
 * RTP toward the upper platform for one call (over the call's UpstreamMedia: UDP, or TCP with RFC 4571 framing): PT 96, the SSRC agreed in our answer, one sequence across
 * the call, 90 kHz timestamps from the wall clock since the first packet (the sources here send in real time).
 */
export class UpstreamRtpSender {
  private open = true;
  private seq = Math.floor(Math.random() * 60_000);
  private startedAt: number | undefined;
  packetsSent = 0;

  constructor(private readonly media: UpstreamMedia, private readonly ssrc: number) {
    media.start();
  }

  private now90k(): number {
    this.startedAt ??= Date.now();
    return Math.round((Date.now() - this.startedAt) * 90);
  }

  /** One H.264 access unit, packed as PS. */
  sendFrame(unit: Buffer, key: boolean): void {
    const pts = this.now90k();
    this.sendPs(muxPsFrame(unit, pts, key), pts);
  }

  /** PS as it is (already muxed, e.g. a device's own payloads passed on). */
  sendPs(ps: Buffer, timestamp = this.now90k()): void {
    if (!this.open) return;
    const { packets, nextSeq } = rtpPacketsOf(ps, { ssrc: this.ssrc, seq: this.seq, timestamp });
    this.seq = nextSeq;
    this.media.send(packets);
    this.packetsSent += packets.length;
  }

  close(): void {
    this.open = false;
    this.media.close();
  }
}
