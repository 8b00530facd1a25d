import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createConnection, type Socket as TcpSocket } from 'node:net';
import { SimSipStream } from './sim-sip-stream.ts';

/**
 * The simulator's SIP connection to its platform: a UDP socket, or one TCP connection on which messages are
 * delimited by the blank line after the headers and Content-Length (RFC 3261 §18.3; the facts sheet §2: GB
 * platforms take TCP on the same port as UDP). Either way each whole message comes out as 'message'.
 */
export class SimSipLink extends EventEmitter<{ message: [data: Buffer, rinfo: RemoteInfo]; closed: [] }> {
  private udp: Socket | undefined;
  private tcp: TcpSocket | undefined;
  private readonly stream = new SimSipStream();

  constructor(readonly transport: 'udp' | 'tcp', private readonly server: { host: string; port: number }) {
    super();
  }

  get port(): number {
    return this.udp?.address().port ?? this.tcp?.localPort ?? 0;
  }

  get open(): boolean {
    return this.udp !== undefined || this.tcp !== undefined;
  }

  async start(): Promise<void> {
    if (this.transport === 'udp') {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
      socket.on('message', (data, rinfo) => this.emit('message', data, rinfo));
      this.udp = socket;
      return;
    }
    const socket = createConnection({ host: this.server.host, port: this.server.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => { if (this.tcp === socket) { this.tcp = undefined; this.emit('closed'); } });
    socket.on('data', (chunk: Buffer) => this.onStream(chunk));
    this.tcp = socket;
  }

  private onStream(chunk: Buffer): void {
    const rinfo: RemoteInfo = { address: this.server.host, port: this.server.port, family: 'IPv4', size: 0 };
    let messages: Buffer[];
    try {
      messages = this.stream.push(chunk);
    } catch {
      this.tcp?.destroy();
      return;
    }
    for (const message of messages) this.emit('message', message, { ...rinfo, size: message.length });
  }

  /** To the platform (TCP: on the connection, whatever address is named). */
  send(data: Buffer, port: number, host: string): void {
    if (this.tcp) this.tcp.write(data);
    else this.udp?.send(data, port, host);
  }

  close(): void {
    this.udp?.close();
    this.udp = undefined;
    this.tcp?.destroy();
    this.tcp = undefined;
  }
}
