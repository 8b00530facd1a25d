import { createSocket, type Socket } from 'node:dgram';
import { createConnection, type Server, type Socket as TcpSocket } from 'node:net';
import type { AccessUnit } from './h264-access-units.ts';
import { psFrame, rtpPackets } from './ps-packetizer.ts';

export interface SimRtpStreamOptions {
  host: string;
  port: number;
  ssrc: number;
  units: readonly AccessUnit[];
  fps: number;
  /** udp, or tcp: connect to host:port (the platform listens, `a=setup:passive`) and frame each packet with a 2-byte length. */
  transport?: 'udp' | 'tcp';
  /** tcp with the device listening (the platform offered `a=setup:active`): send on the first connection this server takes. */
  listener?: Server;
  /** Stop after this many frames (a recording played back to its end); unset = loop the clip for ever (live). */
  frames?: number;
  /** Told once the last of `frames` was sent. */
  onEnd?: () => void;
}

/**
 * Sends a clip, looped, as PS over RTP (UDP, or TCP with RFC 4571 framing) in real time (one frame every 1/fps s),
 * or `scale` times as fast. A playback can be paused, resumed and moved to another position (a recording's
 * MANSRTSP controls); the PTS follows the position in the recording, the pace the scale.
 */
export class SimRtpStream {
  private socket: Socket | undefined;
  private tcp: TcpSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Position: the next frame of the recording to send. */
  private frame = 0;
  private seq = Math.floor(Math.random() * 60_000);
  /** Pace reference: frame `baseFrame` was due at `baseAt`. */
  private baseAt = 0;
  private baseFrame = 0;
  packetsSent = 0;
  framesSent = 0;
  paused = false;
  scale = 1;

  constructor(private readonly o: SimRtpStreamOptions) {}

  start(): void {
    if (this.o.transport === 'tcp' && this.o.listener) {
      this.o.listener.once('connection', (tcp: TcpSocket) => {
        tcp.on('error', () => this.stop());
        this.tcp = tcp;
        this.rebase();
        this.tick();
      });
      return;
    }
    if (this.o.transport === 'tcp') {
      const tcp = createConnection({ host: this.o.host, port: this.o.port });
      tcp.on('error', () => this.stop());
      tcp.once('connect', () => {
        this.tcp = tcp;
        this.rebase();
        this.tick();
      });
      return;
    }
    this.socket = createSocket('udp4');
    this.socket.on('error', () => { /* the receiver went away: keep sending until BYE, as a device does */ });
    this.rebase();
    this.tick();
  }

  /** Seconds into the recording of the next frame. */
  get position(): number {
    return this.frame / this.o.fps;
  }

  private rebase(): void {
    this.baseAt = Date.now();
    this.baseFrame = this.frame;
  }

  /** PAUSE: no RTP until resume(). */
  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
  }

  /** PLAY after a pause: on from where it stopped. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.rebase();
    this.tick();
  }

  /** PLAY with Range npt=<s>-: on from the key frame at or before that second of the recording. */
  seek(seconds: number): void {
    let frame = Math.max(0, Math.round(seconds * this.o.fps));
    while (frame > 0 && !this.o.units[frame % this.o.units.length]!.key) frame--;
    clearTimeout(this.timer);
    this.frame = frame;
    this.rebase();
    if (!this.paused) this.tick();
  }

  /** PLAY with Scale: frames go out `scale` times as fast. */
  setScale(scale: number): void {
    this.scale = scale;
    this.rebase();
  }

  private tick(): void {
    if ((!this.socket && !this.tcp) || this.paused) return;
    if (this.o.frames !== undefined && this.frame >= this.o.frames) {
      this.stop();
      this.o.onEnd?.();
      return;
    }
    const unit = this.o.units[this.frame % this.o.units.length]!;
    const pts = Math.round((this.frame * 90_000) / this.o.fps);
    const { packets, nextSeq } = rtpPackets(psFrame(unit.data, pts, unit.key), { ssrc: this.o.ssrc, seq: this.seq, timestamp: pts });
    this.seq = nextSeq;
    for (const packet of packets) {
      if (this.tcp) {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(packet.length);
        this.tcp.write(Buffer.concat([length, packet]));
      } else this.socket!.send(packet, this.o.port, this.o.host);
    }
    this.packetsSent += packets.length;
    this.framesSent++;
    this.frame++;
    const due = this.baseAt + ((this.frame - this.baseFrame) * 1_000) / (this.o.fps * this.scale);
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - Date.now()));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.socket?.close();
    this.socket = undefined;
    this.tcp?.destroy();
    this.tcp = undefined;
    this.o.listener?.close();
  }
}
