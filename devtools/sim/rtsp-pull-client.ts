import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';

export interface RtspPullOptions {
  username?: string;
  password?: string;
  /** Which challenge to answer when the server offers several. */
  authMethod?: 'basic' | 'digest';
  timeoutMs?: number;
}

export interface RtspReply {
  status: number;
  headers: Map<string, string[]>;
  body: string;
}

/** Counters of a playing session: RTP over the TCP connection (interleaved channel 0). */
export interface RtspPullStats {
  rtpPackets: number;
  rtpBytes: number;
  /** RTP timestamps (90 kHz) of the first and latest packet. */
  firstRtpTimestamp: number | undefined;
  lastRtpTimestamp: number | undefined;
  lastPacketAt: number;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/**
 * A minimal RTSP client (DESCRIBE, SETUP over TCP interleaved, PLAY) that counts RTP packets and drops them.
 * For tests and load measurement of the simulator: much cheaper than one ffmpeg per stream.
 */
export class RtspPullClient {
  readonly stats: RtspPullStats = { rtpPackets: 0, rtpBytes: 0, firstRtpTimestamp: undefined, lastRtpTimestamp: undefined, lastPacketAt: 0 };
  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private cseq = 0;
  private pending: { resolve: (reply: RtspReply) => void; reject: (error: Error) => void } | undefined;
  private authorization: ((method: string, uri: string) => string) | undefined;

  constructor(
    readonly url: string,
    private readonly options: RtspPullOptions = {},
  ) {}

  async connect(): Promise<void> {
    const { hostname, port } = new URL(this.url);
    const socket = connect({ host: hostname, port: Number(port || 554) });
    this.socket = socket;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => this.pending?.reject(new DomainError('SIM_RTSP_CLOSED', 'RTSP connection closed')));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => {});
  }

  /** DESCRIBE, answering one 401 challenge when credentials were given. Returns the final reply. */
  async describe(): Promise<RtspReply> {
    let reply = await this.request('DESCRIBE', this.url, { Accept: 'application/sdp' });
    if (reply.status === 401 && this.options.username !== undefined) {
      this.authorization = this.answerChallenge(reply.headers.get('www-authenticate') ?? []);
      reply = await this.request('DESCRIBE', this.url, { Accept: 'application/sdp' });
    }
    return reply;
  }

  /** DESCRIBE + SETUP + PLAY; afterwards RTP is counted in `stats`. */
  async play(): Promise<void> {
    const described = await this.describe();
    if (described.status !== 200) throw new DomainError('SIM_RTSP_DESCRIBE', `DESCRIBE answered ${described.status}`);
    const base = described.headers.get('content-base')?.[0] ?? `${this.url}/`;
    const control = /a=control:(stream=\d+|[^\r\n*]+)/.exec(described.body.split('m=video')[1] ?? '')?.[1] ?? 'stream=0';
    const trackUrl = control.startsWith('rtsp://') ? control : `${base.replace(/\/?$/, '/')}${control}`;
    const setup = await this.request('SETUP', trackUrl, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    if (setup.status !== 200) throw new DomainError('SIM_RTSP_SETUP', `SETUP answered ${setup.status}`);
    const session = (setup.headers.get('session')?.[0] ?? '').split(';')[0]!;
    const play = await this.request('PLAY', base, { Session: session, Range: 'npt=0-' });
    if (play.status !== 200) throw new DomainError('SIM_RTSP_PLAY', `PLAY answered ${play.status}`);
  }

  close(): void {
    this.socket?.destroy();
  }

  private request(method: string, uri: string, headers: Record<string, string>): Promise<RtspReply> {
    const lines = [`${method} ${uri} RTSP/1.0`, `CSeq: ${++this.cseq}`, 'User-Agent: sim-rtsp-pull'];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    if (this.authorization) lines.push(`Authorization: ${this.authorization(method, uri)}`);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new DomainError('SIM_RTSP_TIMEOUT', `${method} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = {
        resolve: (reply) => (clearTimeout(timer), resolve(reply)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      this.socket!.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  private answerChallenge(challenges: string[]): (method: string, uri: string) => string {
    const { username = '', password = '', authMethod = 'digest' } = this.options;
    const digest = challenges.find((c) => /^digest /i.test(c));
    if (authMethod === 'digest' && digest) {
      const realm = /realm="([^"]*)"/i.exec(digest)?.[1] ?? '';
      const nonce = /nonce="([^"]*)"/i.exec(digest)?.[1] ?? '';
      const ha1 = md5(`${username}:${realm}:${password}`);
      return (method, uri) => {
        const response = md5(`${ha1}:${nonce}:${md5(`${method}:${uri}`)}`);
        return `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}"`;
      };
    }
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    return () => basic;
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.buffer.length === 0) return;
      if (this.buffer[0] === 0x24) {
        // Interleaved binary frame: '$', channel, 16-bit length, payload.
        if (this.buffer.length < 4) return;
        const length = this.buffer.readUInt16BE(2);
        if (this.buffer.length < 4 + length) return;
        if (this.buffer[1] === 0 && length >= 12) this.countRtp(this.buffer.subarray(4, 4 + length));
        this.buffer = this.buffer.subarray(4 + length);
        continue;
      }
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const head = this.buffer.subarray(0, headerEnd).toString('latin1').split('\r\n');
      const headers = new Map<string, string[]>();
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
      }
      const bodyLength = Number(headers.get('content-length')?.[0] ?? 0);
      if (this.buffer.length < headerEnd + 4 + bodyLength) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + bodyLength).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + bodyLength);
      const status = Number(/^RTSP\/1\.0 (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve({ status, headers, body });
    }
  }

  private countRtp(packet: Buffer): void {
    const timestamp = packet.readUInt32BE(4);
    this.stats.rtpPackets++;
    this.stats.rtpBytes += packet.length;
    this.stats.firstRtpTimestamp ??= timestamp;
    this.stats.lastRtpTimestamp = timestamp;
    this.stats.lastPacketAt = Date.now();
  }
}
