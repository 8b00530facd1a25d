import { createSocket, type Socket } from 'node:dgram';
import { createConnection, type Server, type Socket as TcpSocket } from 'node:net';
import { listenInPortRange } from './tcp-port-range.ts';
import { EventEmitter } from 'node:events';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';

export interface RtpReceiverEvents {
  /** Payload bytes (PS) in sequence order. */
  payload: [data: Buffer];
}

/** Packets held for reordering before a gap is given up on. */
const REORDER_WINDOW = 32;

/** The RTP header length (fixed part, CSRCs, extension) or undefined when it is not RTP v2. */
function rtpPayloadOffset(packet: Buffer): { offset: number; end: number } | undefined {
  if (packet.length < 12 || (packet[0]! >> 6) !== 2) return undefined;
  let offset = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[packet.length - 1]!;
  return offset <= end ? { offset, end } : undefined;
}

/**
 * One live stream's UDP port: RTP PT 96 (PS) from the device, the SSRC checked against the agreed one,
 * reordered by sequence number within a small window, header stripped; the payloads go out in order.
 */
export class RtpReceiver extends EventEmitter<RtpReceiverEvents> {
  private socket: Socket | undefined;
  private server: Server | undefined;
  private peer: TcpSocket | undefined;
  private tcpPort = 0;
  private expectedSeq: number | undefined;
  private readonly held = new Map<number, Buffer>();
  lastPacketAt = 0;
  packets = 0;
  /** Dropped for another SSRC, another payload type, or not being RTP at all. */
  dropped = 0;
  ssrc: number | undefined;

  constructor(private readonly checkSsrc: boolean) {
    super();
  }

  get port(): number {
    return this.socket?.address().port ?? this.tcpPort;
  }

  /**
   * TCP passive (the device connects, wvp's default): listens on the first free port of [min, max]; one
   * connection at a time, RTP framed by a 2-byte length (RFC 4571). A peer whose frames cannot be RTP is cut.
   */
  async listenTcp(host: string, min: number, max: number): Promise<number> {
    const server = await listenInPortRange(host, min, max, (socket) => this.accept(socket));
    if (server) {
      this.server = server;
      this.tcpPort = (server.address() as { port: number }).port;
      return this.tcpPort;
    }
    throw new DomainError('GB_RTP_PORTS_EXHAUSTED', `no free TCP port in ${min}-${max} for live video`);
  }

  /**
   * TCP active (we connect, the device listens: `a=setup:passive` in its answer). Resolves once connected;
   * DomainError GB_RTP_CONNECT_FAILED when the device's port does not take the connection in time.
   */
  async connectTcp(host: string, port: number, timeoutMs = 5_000): Promise<void> {
    const socket = createConnection({ host, port });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { socket.destroy(); reject(new DomainError('GB_RTP_CONNECT_FAILED', `no TCP media connection to ${host}:${port}`)); }, timeoutMs);
      socket.once('connect', () => { clearTimeout(timer); resolve(); });
      socket.once('error', (error) => { clearTimeout(timer); socket.destroy(); reject(new DomainError('GB_RTP_CONNECT_FAILED', `no TCP media connection to ${host}:${port}`, { cause: error })); });
    });
    this.accept(socket);
  }

  private accept(socket: TcpSocket): void {
    // A newer connection (the device reconnecting after a re-INVITE) replaces the old one.
    this.peer?.destroy();
    this.peer = socket;
    socket.setNoDelay(true);
    let buffer: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      while (buffer.length >= 2) {
        const length = buffer.readUInt16BE(0);
        if (length < 12) {
          this.dropped++;
          socket.destroy();
          return;
        }
        if (buffer.length < 2 + length) break;
        this.onPacket(buffer.subarray(2, 2 + length));
        buffer = buffer.subarray(2 + length);
      }
      if (buffer.length) buffer = Buffer.from(buffer);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => { if (this.peer === socket) this.peer = undefined; });
  }

  /** Binds the first free port of [min, max] (stepping by 2 like RTP/RTCP pairs would, starting at a random even offset). */
  async bind(host: string, min: number, max: number): Promise<number> {
    const span = Math.max(1, max - min + 1);
    const first = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const port = min + ((first + i) % span);
      const socket = createSocket('udp4');
      const bound = await new Promise<boolean>((resolve) => {
        socket.once('error', () => resolve(false));
        socket.bind(port, host, () => resolve(true));
      });
      if (!bound) {
        socket.close();
        continue;
      }
      socket.removeAllListeners('error');
      socket.on('error', () => {});
      socket.on('message', (packet) => this.onPacket(packet));
      this.socket = socket;
      return port;
    }
    throw new DomainError('GB_RTP_PORTS_EXHAUSTED', `no free UDP port in ${min}-${max} for live video`);
  }

  private onPacket(packet: Buffer): void {
    const bounds = rtpPayloadOffset(packet);
    if (!bounds || (packet[1]! & 0x7f) !== 96) {
      this.dropped++;
      return;
    }
    const ssrc = packet.readUInt32BE(8);
    if (this.checkSsrc && this.ssrc !== undefined && ssrc !== this.ssrc) {
      this.dropped++;
      return;
    }
    this.ssrc ??= ssrc;
    this.packets++;
    this.lastPacketAt = Date.now();
    const seq = packet.readUInt16BE(2);
    const payload = packet.subarray(bounds.offset, bounds.end);
    if (this.expectedSeq === undefined) this.expectedSeq = seq;
    const ahead = (seq - this.expectedSeq + 0x10000) & 0xffff;
    if (ahead >= 0x8000) return; // late duplicate or older than what went out
    this.held.set(seq, payload);
    this.drain();
    if (this.held.size > REORDER_WINDOW) {
      // Give up on the gap: continue from the oldest packet held.
      let oldest = seq;
      for (const s of this.held.keys()) if (((s - this.expectedSeq + 0x10000) & 0xffff) < ((oldest - this.expectedSeq + 0x10000) & 0xffff)) oldest = s;
      this.expectedSeq = oldest;
      this.drain();
    }
  }

  private drain(): void {
    for (;;) {
      const next = this.held.get(this.expectedSeq!);
      if (!next) return;
      this.held.delete(this.expectedSeq!);
      this.expectedSeq = (this.expectedSeq! + 1) & 0xffff;
      this.emit('payload', next);
    }
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
    this.peer?.destroy();
    this.server?.close();
    this.server = undefined;
    this.held.clear();
  }
}
