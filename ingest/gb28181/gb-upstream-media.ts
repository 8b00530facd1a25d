import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, type Server, type Socket } from 'node:net';
import { listenInPortRange } from './tcp-port-range.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';

/** How the RTP of one upward call travels: UDP to the upper's port, or TCP (RFC 4571) as `a=setup` decided. */
export type UpstreamTransport =
  | { kind: 'udp'; host: string; port: number }
  /** The upper offered `a=setup:passive`: it listens, we connect (answer `a=setup:active`). */
  | { kind: 'tcp-connect'; host: string; port: number }
  /** The upper offered `a=setup:active`: we listen on a port of the range (answer `a=setup:passive`) and it connects. */
  | { kind: 'tcp-listen' };

/** Bytes queued on a TCP connection beyond which packets are dropped: an upper that stops reading must not grow our heap. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const RECONNECT_MS = 1_000;

/**
 * The media leg toward the upper platform. UDP: one datagram per RTP packet. TCP: each RTP packet behind a
 * 2-byte big-endian length (RFC 4571, what ZLMediaKit and wvp send and expect), over a connection we open
 * (tcp-connect, opened again after a drop while the call lasts) or the one the upper opens to our
 * listening port (tcp-listen; a newer connection replaces the older).
 */
export class UpstreamMedia {
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private server: Server | undefined;
  private closed = false;
  private reconnect: NodeJS.Timeout | undefined;
  /** Packets not sent (no connection yet, or the upper not reading). */
  dropped = 0;

  private constructor(private readonly transport: UpstreamTransport) {}

  /** UDP or TCP-connect: ready at once (TCP connects when started). */
  static to(transport: Exclude<UpstreamTransport, { kind: 'tcp-listen' }>): UpstreamMedia {
    return new UpstreamMedia(transport);
  }

  /** TCP-listen: binds a port of [min, max] now, before the SDP answer names it. */
  static async listening(host: string, min: number, max: number): Promise<UpstreamMedia> {
    const media = new UpstreamMedia({ kind: 'tcp-listen' });
    const server = await listenInPortRange(host, min, max, (socket) => media.use(socket));
    if (server) {
      server.maxConnections = 2;
      media.server = server;
      return media;
    }
    throw new DomainError('GB_RTP_PORTS_EXHAUSTED', `no free TCP port in ${min}-${max} for a stream to the upper platform`);
  }

  /** The port the upper connects to (tcp-listen), 9 otherwise (the SDP's discard port: we only send). */
  get port(): number {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : 9;
  }

  get setup(): 'active' | 'passive' | undefined {
    return this.transport.kind === 'tcp-connect' ? 'active' : this.transport.kind === 'tcp-listen' ? 'passive' : undefined;
  }

  start(): void {
    if (this.transport.kind === 'udp') {
      this.udp = createSocket('udp4');
      this.udp.on('error', () => {});
    } else if (this.transport.kind === 'tcp-connect') {
      this.connect(this.transport.host, this.transport.port);
    }
  }

  private connect(host: string, port: number): void {
    if (this.closed) return;
    const socket = createConnection({ host, port });
    socket.once('connect', () => this.use(socket));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => {
      if (this.tcp === socket) this.tcp = undefined;
      if (!this.closed) this.reconnect = setTimeout(() => this.connect(host, port), RECONNECT_MS);
    });
  }

  private use(socket: Socket): void {
    if (this.closed) return void socket.destroy();
    if (this.tcp && this.tcp !== socket) this.tcp.destroy();
    this.tcp = socket;
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => { if (this.tcp === socket) this.tcp = undefined; });
    // We only send; anything the upper writes is read and dropped.
    socket.on('data', () => {});
  }

  /** Sends a batch of RTP packets (one frame's). */
  send(packets: Buffer[]): void {
    if (this.transport.kind === 'udp') {
      for (const packet of packets) this.udp?.send(packet, this.transport.port, this.transport.host);
      return;
    }
    const socket = this.tcp;
    if (!socket || socket.destroyed || socket.writableLength > MAX_QUEUED_BYTES) {
      this.dropped += packets.length;
      return;
    }
    const framed = Buffer.allocUnsafe(packets.reduce((n, p) => n + 2 + p.length, 0));
    let at = 0;
    for (const packet of packets) {
      framed.writeUInt16BE(packet.length, at);
      packet.copy(framed, at + 2);
      at += 2 + packet.length;
    }
    socket.write(framed);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnect);
    this.udp?.close();
    this.udp = undefined;
    this.tcp?.destroy();
    this.tcp = undefined;
    this.server?.close();
    this.server = undefined;
  }
}
