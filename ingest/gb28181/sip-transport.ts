import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { formatSip, parseDatagram, type SipMessage } from './sip-message.ts';
import { SipStreamFramer } from './sip-stream-framer.ts';

export type SipTransportKind = 'udp' | 'tcp';

/** Where a message came from, and so where its answers go. */
export interface SipPeer {
  transport: SipTransportKind;
  address: string;
  port: number;
}

export interface SipTransportEvents {
  message: [message: SipMessage, peer: SipPeer];
  /** Bytes that are not SIP (answered 400 by the caller when a request line was readable). */
  malformed: [error: DomainError, peer: SipPeer];
}

export interface SipTransportOptions {
  host: string;
  port: number;
  /** Idle TCP connections are closed after this long. */
  tcpIdleMs?: number;
  /** Open TCP connections at most (a flood of peers cannot exhaust file descriptors). */
  maxTcpConnections?: number;
}

const peerKey = (p: Pick<SipPeer, 'address' | 'port'>) => `${p.address}:${p.port}`;

/**
 * SIP over UDP and TCP on one port (GB/T 28181 devices use either). UDP: one datagram, one message.
 * TCP: Content-Length framing per connection; a connection that sends what can never be SIP is closed.
 * Sending over TCP reuses the peer's connection, or opens one to its address.
 */
export class SipTransport extends EventEmitter<SipTransportEvents> {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly connections = new Map<string, Socket>();

  constructor(private readonly options: SipTransportOptions) {
    super();
  }

  get port(): number {
    const address = this.udp?.address();
    return address ? address.port : 0;
  }

  /** Binds UDP, then TCP on the same port (retrying with a fresh port when port 0 picked one TCP cannot take). */
  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket({ type: this.options.host.includes(':') ? 'udp6' : 'udp4' });
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.options.port, this.options.host, () => { udp.off('error', reject); resolve(); });
      });
      const port = udp.address().port;
      const tcp = createServer((socket) => this.accept(socket));
      try {
        await new Promise<void>((resolve, reject) => {
          tcp.once('error', reject);
          tcp.listen(port, this.options.host, () => { tcp.off('error', reject); resolve(); });
        });
      } catch (error) {
        udp.close();
        if (this.options.port === 0 && attempt < 5) continue;
        throw new DomainError('SIP_BIND_FAILED', `cannot listen for SIP on TCP ${this.options.host}:${port}`, { cause: error });
      }
      udp.on('message', (data, rinfo) => this.onDatagram(data, { transport: 'udp', address: rinfo.address, port: rinfo.port }));
      udp.on('error', () => { /* ICMP errors on send: the transaction times out */ });
      tcp.maxConnections = this.options.maxTcpConnections ?? 2_000;
      this.udp = udp;
      this.tcp = tcp;
      return;
    }
  }

  private onDatagram(data: Buffer, peer: SipPeer): void {
    // Lone CRLFs are NAT keep-alives.
    if (data.length <= 4 && /^[\r\n]*$/.test(data.toString('latin1'))) return;
    let message: SipMessage;
    try {
      message = parseDatagram(data);
    } catch (error) {
      this.emit('malformed', error instanceof DomainError ? error : new DomainError('SIP_MALFORMED', 'unreadable datagram', { cause: error }), peer);
      return;
    }
    this.emit('message', message, peer);
  }

  private accept(socket: Socket, known?: SipPeer): void {
    const peer: SipPeer = known ?? { transport: 'tcp', address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const key = peerKey(peer);
    this.connections.get(key)?.destroy();
    this.connections.set(key, socket);
    const framer = new SipStreamFramer();
    socket.setTimeout(this.options.tcpIdleMs ?? 120_000, () => socket.destroy());
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let messages: SipMessage[];
      try {
        messages = framer.push(chunk);
      } catch (error) {
        this.emit('malformed', error instanceof DomainError ? error : new DomainError('SIP_MALFORMED', 'unreadable stream', { cause: error }), peer);
        socket.destroy();
        return;
      }
      for (const message of messages) this.emit('message', message, peer);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => { if (this.connections.get(key) === socket) this.connections.delete(key); });
  }

  /** Sends one message; over TCP on the open connection to the peer, or a new one. */
  async send(peer: SipPeer, message: SipMessage): Promise<void> {
    const bytes = formatSip(message);
    if (peer.transport === 'udp') {
      const udp = this.udp;
      if (!udp) throw new DomainError('SIP_TRANSPORT_STOPPED', 'the SIP transport is stopped');
      await new Promise<void>((resolve, reject) => udp.send(bytes, peer.port, peer.address, (error) => (error ? reject(error) : resolve())));
      return;
    }
    let socket = this.connections.get(peerKey(peer));
    if (!socket || socket.destroyed) socket = await this.connect(peer);
    socket.write(bytes);
  }

  private connect(peer: SipPeer): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: peer.address, port: peer.port, timeout: 5_000 });
      socket.once('connect', () => {
        socket.setTimeout(0);
        this.accept(socket, peer);
        resolve(socket);
      });
      socket.once('timeout', () => { socket.destroy(); reject(new DomainError('SIP_CONNECT_FAILED', `no TCP connection to ${peerKey(peer)}`)); });
      socket.once('error', (cause) => reject(new DomainError('SIP_CONNECT_FAILED', `no TCP connection to ${peerKey(peer)}`, { cause })));
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.connections.values()) socket.destroy();
    this.connections.clear();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => { if (this.udp) this.udp.close(() => resolve()); else resolve(); });
    this.tcp = undefined;
    this.udp = undefined;
  }
}
