import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { formatSimSip, header, md5, parseSimSip, simResponse, type SimSipMessage } from './sim-sip.ts';

export const UPPER_ID = '44010000002000000001';
export const UPPER_DOMAIN = '4401000000';
export const UPPER_PASSWORD = 'city-platform-pw';

/**
 * A simulated upper (city) platform for cascade tests: digest registrar (MD5, qop=auth), keepalive answers,
 * collects catalogue items, recordings and MediaStatus notifications, and sends Catalog queries, INVITE
 * (live or `s=Playback`), ACK and BYE to a lower platform.
 */
export class SimUpperPlatform {
  socket!: Socket;
  registered = 0;
  keepalives = 0;
  readonly catalogItems: string[] = [];
  /** Recordings the lower platform listed in RecordInfo answers (local times as sent). */
  readonly recordItems: Array<{ start: string; end: string }> = [];
  /** MediaStatus notifications from the lower platform (121 = a playback reached the end of its range), with the Call-ID they came in. */
  readonly mediaStatus: Array<{ channelId: string; notifyType: string; callId: string }> = [];
  private nonce = 'c0ffee0123456789c0ffee0123456789';
  private readonly answers = new Map<string, (m: SimSipMessage) => void>();

  async start(): Promise<number> {
    this.socket = createSocket('udp4');
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.socket.on('message', (data, rinfo) => this.on(data, rinfo));
    return this.socket.address().port;
  }

  private on(data: Buffer, rinfo: RemoteInfo): void {
    const m = parseSimSip(data);
    if (!m) return;
    const reply = (buf: Buffer) => this.socket.send(buf, rinfo.port, rinfo.address);
    if (m.startLine.startsWith('SIP/2.0')) return this.answers.get(header(m, 'Call-ID')!)?.(m);
    const method = m.startLine.split(' ')[0];
    if (method === 'REGISTER') {
      const auth = header(m, 'Authorization');
      if (!auth) return reply(simResponse(m, 401, 'Unauthorized', [['WWW-Authenticate', `Digest realm="${UPPER_DOMAIN}",qop="auth",nonce="${this.nonce}",algorithm=MD5`]]));
      const get = (k: string) => new RegExp(`${k}="?([^",]*)"?`).exec(auth)?.[1] ?? '';
      const ha1 = md5(`${get('username')}:${UPPER_DOMAIN}:${UPPER_PASSWORD}`);
      const expected = md5(`${ha1}:${this.nonce}:${get('nc')}:${get('cnonce')}:auth:${md5(`REGISTER:${get('uri')}`)}`);
      if (get('response') !== expected) return reply(simResponse(m, 403, 'Forbidden'));
      this.registered++;
      return reply(simResponse(m, 200, 'OK', [['Expires', '3600']]));
    }
    if (method === 'MESSAGE') {
      reply(simResponse(m, 200, 'OK'));
      const xml = m.body.toString('latin1');
      if (xml.includes('<CmdType>Keepalive</CmdType>')) this.keepalives++;
      if (xml.includes('<CmdType>Catalog</CmdType>')) for (const item of xml.matchAll(/<Item><DeviceID>(\d{20})<\/DeviceID>/g)) this.catalogItems.push(item[1]!);
      if (xml.includes('<CmdType>MediaStatus</CmdType>')) {
        const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';
        this.mediaStatus.push({ channelId: field('DeviceID'), notifyType: field('NotifyType'), callId: header(m, 'Call-ID') ?? '' });
      }
      if (xml.includes('<CmdType>RecordInfo</CmdType>')) {
        for (const item of xml.matchAll(/<StartTime>([^<]+)<\/StartTime><EndTime>([^<]+)<\/EndTime>/g)) this.recordItems.push({ start: item[1]!, end: item[2]! });
      }
    }
  }

  /** Sends a request to the hub and resolves with its final answer (ACK: resolves at once). */
  request(hubPort: number, method: string, uri: string, body: string, contentType: string, dialog: { callId?: string; to?: string; cseq?: number } = {}): Promise<SimSipMessage> {
    const callId = dialog.callId ?? `${Math.random().toString(16).slice(2)}@127.0.0.1`;
    const message = formatSimSip(`${method} ${uri} SIP/2.0`, [
      ['Via', `SIP/2.0/UDP 127.0.0.1:${this.socket.address().port};rport;branch=z9hG4bK${Math.random().toString(16).slice(2)}`],
      ['From', `<sip:${UPPER_ID}@${UPPER_DOMAIN}>;tag=up1`], ['To', dialog.to ?? `<sip:${uriToId(uri)}@${UPPER_DOMAIN}>`], ['Call-ID', callId], ['CSeq', `${dialog.cseq ?? 1} ${method}`],
      ['Content-Type', contentType], ['Max-Forwards', '70'],
    ], Buffer.from(body));
    if (method === 'ACK') {
      this.socket.send(message, hubPort, '127.0.0.1');
      return Promise.resolve({ startLine: 'ACK', headers: [], body: Buffer.alloc(0) });
    }
    return new Promise((resolve) => {
      this.answers.set(callId, (answer) => { if (!answer.startLine.startsWith('SIP/2.0 1')) resolve(answer); });
      this.socket.send(message, hubPort, '127.0.0.1');
    });
  }
}

const uriToId = (uri: string) => /sip:(\d+)@/.exec(uri)?.[1] ?? '';

