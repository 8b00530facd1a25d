import { createSocket, type Socket } from 'node:dgram';
import { muxPsFrame, rtpPacketsOf } from './ps-muxer.ts';

/**
 * RTP/UDP toward the upper platform for one call: PT 96, the SSRC agreed in our answer, one sequence across
 * the call, 90 kHz timestamps from the wall clock since the first packet (the sources here send in real time).
 */
export class UpstreamRtpSender {
  private socket: Socket | undefined;
  private seq = Math.floor(Math.random() * 60_000);
  private startedAt: number | undefined;
  packetsSent = 0;

  constructor(private readonly target: { host: string; port: number }, private readonly ssrc: number) {
    const socket = createSocket('udp4');
    // The upper went away: keep quiet until its BYE or its RTP timeout, as wvp does.
    socket.on('error', () => {});
    this.socket = socket;
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
    const socket = this.socket;
    if (!socket) return;
    const { packets, nextSeq } = rtpPacketsOf(ps, { ssrc: this.ssrc, seq: this.seq, timestamp });
    this.seq = nextSeq;
    for (const packet of packets) socket.send(packet, this.target.port, this.target.host);
    this.packetsSent += packets.length;
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}
