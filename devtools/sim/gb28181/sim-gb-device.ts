import type { RemoteInfo } from 'node:dgram';
import iconv from 'iconv-lite';
import type { AccessUnit } from './h264-access-units.ts';
import { formatSimSip, header, parseSimSip, simAuthorization, simBranch, simResponse, simTag, type SimSipMessage } from './sim-sip.ts';
import type { SimRtpStream } from './sim-rtp-stream.ts';
import { SimGbCalls } from './sim-gb-calls.ts';
import { SimSipLink } from './sim-sip-link.ts';
import { sendCatalog, sendPresets, sendRecords } from './sim-gb-answers.ts';

export interface SimChannel {
  id: string;
  name: string;
  address?: string;
  civilCode?: string;
  lon?: number;
  lat?: number;
  ptzType?: number;
}

export interface SimGbDeviceOptions {
  server: { host: string; port: number; id: string; domain: string };
  deviceId: string;
  password: string;
  channels: SimChannel[];
  units: readonly AccessUnit[];
  fps: number;
  keepaliveSeconds?: number;
  expires?: number;
  /** Catalogue items per MESSAGE (wvp sends 1–8). */
  catalogGroup?: number;
  charset?: 'GB2312' | 'UTF-8';
  /** Answer INVITEs with this SSRC instead of the offered one (as some Hikvision devices do). */
  answerSsrc?: number;
  /** Accept INVITEs but never send RTP. */
  silent?: boolean;
  /** 200-OK the first n Catalog queries and never answer them (an answer lost on the way). */
  catalogQueriesLost?: number;
  /** SIP over UDP (default) or over one TCP connection to the platform's port. */
  sipTransport?: 'udp' | 'tcp';
  /** Presets every channel lists when asked (PresetQuery); default two. An empty list answers SumNum 0. */
  presets?: Array<{ id: number; name: string }>;
  /** A playback sends at most this many seconds of the recording before MediaStatus 121 (a real NVR sends the whole range). */
  playbackSeconds?: number;
}

/** A playback INVITE the device accepted (s=Playback, u=<channel>:0, t=<start> <end> in Unix seconds). */
export interface SimPlayback { channelId: string; start: number; end: number; callId: string }

/** One PTZCmd the device received. */
export interface SimPtzCommand { channelId: string; cmd: string }

/**
 * A simulated GB/T 28181 device (IPC or NVR) over SIP/UDP: registers with digest, keeps alive, answers
 * Catalog and DeviceInfo queries, accepts INVITE and sends PS over RTP from a real H.264 clip, obeys BYE,
 * records PTZ commands. Built from the facts sheet, not from the hub's code.
 */
export class SimGbDevice {
  private socket: SimSipLink | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private cseq = 1;
  private readonly pending = new Map<string, (response: SimSipMessage) => void>();
  private readonly calls: SimGbCalls;
  readonly ptz: SimPtzCommand[] = [];
  /** MediaStatus 121 (end of file) notifications sent at the end of playbacks. */
  mediaStatusSent = 0;
  subscribes = 0;
  /** Catalogue answers sent completely (every part 200-OKed). */
  catalogsSent = 0;
  private subscription: { callId: string; platform: string; event: string } | undefined;
  registered = false;
  /** Catalog queries received (answered or not). */
  catalogQueries = 0;

  constructor(readonly o: SimGbDeviceOptions) {
    this.calls = new SimGbCalls(o, () => this.port, (data, rinfo) => this.reply(data, rinfo), (channelId, callId) => { void this.sendMediaStatus(channelId, callId).catch(() => {}); });
  }

  /** Playback INVITEs accepted. */
  get playbacks(): SimPlayback[] {
    return this.calls.playbacks;
  }

  /** MANSRTSP controls obeyed (INFO in a playback's dialog). */
  get controls(): SimGbCalls['controls'] {
    return this.calls.controls;
  }

  get invites(): number {
    return this.calls.invites;
  }

  get byes(): number {
    return this.calls.byes;
  }

  /** The running stream of a call (tests watch a playback's position, pace and pause). */
  streamOf(callId: string): SimRtpStream | undefined {
    return this.calls.streamOf(callId);
  }

  get id(): string {
    return this.o.deviceId;
  }

  get activeStreams(): number {
    return this.calls.activeStreams;
  }

  get port(): number {
    return this.socket?.port ?? 0;
  }

  async start(): Promise<void> {
    const socket = new SimSipLink(this.o.sipTransport ?? 'udp', this.o.server);
    await socket.start();
    socket.on('message', (data, rinfo) => this.onDatagram(data, rinfo));
    this.socket = socket;
    await this.register();
    const every = (this.o.keepaliveSeconds ?? 60) * 1_000;
    const beat = () => {
      // A platform that forgot the device (404: it restarted, or timed the device out) gets a new REGISTER, as real devices do.
      const once = async () => { if ((await this.sendKeepalive()) === 404 && this.socket) await this.register(); };
      this.keepalive = setTimeout(() => { void once().catch(() => {}).finally(() => { if (this.socket) beat(); }); }, every);
    };
    beat();
  }

  /** REGISTER, answer the 401 challenge, resolve on 200 (rejects with the status otherwise). */
  async register(expires = this.o.expires ?? 3_600): Promise<number> {
    const callId = `${simTag()}@127.0.0.1`;
    const uri = `sip:${this.o.server.id}@${this.o.server.host}:${this.o.server.port}`;
    const first = await this.request('REGISTER', uri, [['Expires', String(expires)]], undefined, callId);
    let answer = first;
    if (first.startLine.includes(' 401 ')) {
      const auth = simAuthorization(header(first, 'WWW-Authenticate')!, { username: this.o.deviceId, password: this.o.password, method: 'REGISTER', uri });
      answer = await this.request('REGISTER', uri, [['Expires', String(expires)], ['Authorization', auth]], undefined, callId);
    }
    const status = Number(answer.startLine.split(' ')[1]);
    this.registered = status === 200 && expires > 0;
    return status;
  }

  async sendKeepalive(): Promise<number> {
    const body = this.xml('Notify', [['CmdType', 'Keepalive'], ['SN', String(this.cseq)], ['DeviceID', this.o.deviceId], ['Status', 'OK']]);
    const answer = await this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], body);
    return Number(answer.startLine.split(' ')[1]);
  }

  /** A MESSAGE to the platform; resolves with its answer. */
  message(body: Buffer): Promise<SimSipMessage> {
    return this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], body);
  }

  private serverUri(): string {
    return `sip:${this.o.server.id}@${this.o.server.domain}`;
  }

  /** A MANSCDP body in the device's charset. */
  xml(root: string, fields: Array<[string, string]>, inner = ''): Buffer {
    const charset = this.o.charset ?? 'GB2312';
    const text = `<?xml version="1.0" encoding="${charset}"?>\r\n<${root}>\r\n${fields.map(([n, v]) => `<${n}>${v}</${n}>`).join('\r\n')}${inner}\r\n</${root}>\r\n`;
    return charset === 'UTF-8' ? Buffer.from(text, 'utf8') : iconv.encode(text, 'gb18030');
  }

  /** Sends a request from the device and waits for its final answer (resent every 500 ms on this lossless loopback only if unanswered). */
  request(method: string, uri: string, extra: Array<[string, string]>, body?: Buffer, callId = `${simTag()}@127.0.0.1`, dialog?: { from: string; to: string }): Promise<SimSipMessage> {
    const cseq = this.cseq++;
    const branch = simBranch();
    const from = dialog?.from ?? `<sip:${this.o.deviceId}@${this.o.server.domain}>;tag=${simTag()}`;
    const to = dialog?.to ?? (method === 'REGISTER' ? `<sip:${this.o.deviceId}@${this.o.server.domain}>` : `<sip:${this.o.server.id}@${this.o.server.domain}>`);
    const message = formatSimSip(`${method} ${uri} SIP/2.0`, [
      ['Via', `SIP/2.0/${this.o.sipTransport === 'tcp' ? 'TCP' : 'UDP'} 127.0.0.1:${this.port};rport;branch=${branch}`], ['From', from], ['To', to], ['Call-ID', callId],
      ['CSeq', `${cseq} ${method}`], ['Contact', `<sip:${this.o.deviceId}@127.0.0.1:${this.port}>`], ['Max-Forwards', '70'], ...extra,
    ], body);
    return new Promise((resolve, reject) => {
      let tries = 0;
      const send = () => {
        if (!this.socket) return reject(new Error('device stopped'));
        if (tries++ > 8) { this.pending.delete(branch); return reject(new Error(`${method} not answered`)); }
        // TCP is reliable: sent once, the later rounds only count down to the timeout (RFC 3261 §17.1.1.2).
        if (tries === 1 || this.o.sipTransport !== 'tcp') this.socket.send(message, this.o.server.port, this.o.server.host);
        timer = setTimeout(send, 500 * tries);
      };
      let timer: NodeJS.Timeout | undefined;
      this.pending.set(branch, (response) => { clearTimeout(timer); this.pending.delete(branch); resolve(response); });
      send();
    });
  }

  private reply(data: Buffer, rinfo: RemoteInfo): void {
    this.socket?.send(data, rinfo.port, rinfo.address);
  }

  private onDatagram(data: Buffer, rinfo: RemoteInfo): void {
    const message = parseSimSip(data);
    if (!message) return;
    if (message.startLine.startsWith('SIP/2.0')) {
      if (message.startLine.startsWith('SIP/2.0 1')) return;
      const branch = /branch=([^;,\s]+)/.exec(header(message, 'Via') ?? '')?.[1];
      if (branch) this.pending.get(branch)?.(message);
      return;
    }
    const method = message.startLine.split(' ')[0]!;
    if (method === 'MESSAGE') return this.onMessage(message, rinfo);
    if (method === 'INVITE') return this.calls.onInvite(message, rinfo);
    if (method === 'ACK') return this.calls.onAck(message);
    if (method === 'INFO') return this.calls.onInfo(message, rinfo);
    if (method === 'SUBSCRIBE') {
      this.subscription = { callId: header(message, 'Call-ID')!, platform: header(message, 'From')!, event: header(message, 'Event') ?? 'Catalog' };
      this.subscribes++;
      const sn = /<SN>(\d+)<\/SN>/.exec(message.body.toString('latin1'))?.[1] ?? '0';
      return this.reply(simResponse(message, 200, 'OK', [['Expires', header(message, 'Expires') ?? '3600'], ['Content-Type', 'Application/MANSCDP+xml']],
        this.xml('Response', [['CmdType', 'Catalog'], ['SN', sn], ['DeviceID', this.o.deviceId], ['Result', 'OK']])), rinfo);
    }
    if (method === 'BYE') {
      this.calls.onBye(header(message, 'Call-ID')!);
      return this.reply(simResponse(message, 200, 'OK'), rinfo);
    }
    this.reply(simResponse(message, 405, 'Method Not Allowed'), rinfo);
  }

  private onMessage(message: SimSipMessage, rinfo: RemoteInfo): void {
    this.reply(simResponse(message, 200, 'OK'), rinfo);
    const xml = iconv.decode(message.body, 'gb18030');
    const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';
    const cmd = field('CmdType');
    const sn = field('SN');
    if (cmd === 'Catalog' && ++this.catalogQueries > (this.o.catalogQueriesLost ?? 0)) void sendCatalog(this, sn).then(() => { this.catalogsSent++; }, () => {});
    if (cmd === 'DeviceInfo') {
      void this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], this.xml('Response', [
        ['CmdType', 'DeviceInfo'], ['SN', sn], ['DeviceID', this.o.deviceId], ['DeviceName', '模拟NVR'], ['Result', 'OK'],
        ['Manufacturer', 'SimVendor'], ['Model', 'SIM-NVR-1'], ['Firmware', '1.0'], ['Channel', String(this.o.channels.length)],
      ])).catch(() => {});
    }
    if (cmd === 'RecordInfo') void sendRecords(this, sn, field('DeviceID'), field('StartTime'), field('EndTime')).catch(() => {});
    if (cmd === 'PresetQuery') void sendPresets(this, sn, field('DeviceID')).catch(() => {});
    if (cmd === 'DeviceControl' && field('PTZCmd')) this.ptz.push({ channelId: field('DeviceID'), cmd: field('PTZCmd') });
  }

  /** `MediaStatus` 121: the file (recording) has been sent to its end. */
  async sendMediaStatus(channelId: string, callId: string): Promise<number> {
    const body = this.xml('Notify', [['CmdType', 'MediaStatus'], ['SN', String(this.cseq)], ['DeviceID', channelId], ['NotifyType', '121']]);
    this.mediaStatusSent++;
    const answer = await this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], body, callId);
    return Number(answer.startLine.split(' ')[1]);
  }

  /** Catalogue change notifications in the subscription's dialog (ADD and UPDATE carry the whole item). */
  async notifyCatalog(changes: Array<{ channel: SimChannel; event: 'ADD' | 'UPDATE' | 'DEL' | 'ON' | 'OFF' }>): Promise<number> {
    const sub = this.subscription;
    if (!sub) throw new Error('no catalogue subscription');
    const items = changes.map(({ channel: c, event }) => (event === 'ADD' || event === 'UPDATE'
      ? `<Item><DeviceID>${c.id}</DeviceID><Name>${c.name}</Name><ParentID>${this.o.deviceId}</ParentID><Status>ON</Status><Event>${event}</Event></Item>`
      : `<Item><DeviceID>${c.id}</DeviceID><Event>${event}</Event></Item>`)).join('');
    const body = this.xml('Notify', [['CmdType', 'Catalog'], ['SN', String(this.cseq)], ['DeviceID', this.o.deviceId], ['SumNum', String(changes.length)]],
      `\r\n<DeviceList Num="${changes.length}">${items}</DeviceList>`);
    const answer = await this.request('NOTIFY', this.serverUri(), [['Event', sub.event], ['Subscription-State', 'active'], ['Content-Type', 'Application/MANSCDP+xml']], body, sub.callId,
      { from: `<sip:${this.o.deviceId}@${this.o.server.domain}>;tag=sim`, to: sub.platform });
    return Number(answer.startLine.split(' ')[1]);
  }

  /** The encoder hangs: RTP stops, the calls stay up, no BYE (the hub must notice and call again). */
  stallStreams(): void {
    this.calls.stall();
  }

  /** Where the running calls send RTP (tests inject stray packets there). */
  streamTargets(): Array<{ host: string; port: number; ssrc: number; transport: 'udp' | 'tcp' }> {
    return this.calls.targets();
  }

  /** Gone without a word (power cut): no unregister, no more keepalives or RTP. */
  kill(): void {
    clearTimeout(this.keepalive);
    this.calls.endAll();
    this.socket?.close();
    this.socket = undefined;
    this.registered = false;
  }
}
