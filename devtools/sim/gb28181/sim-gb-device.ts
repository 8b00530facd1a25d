import type { RemoteInfo } from 'node:dgram';
import iconv from 'iconv-lite';
import type { AccessUnit } from './h264-access-units.ts';
import { formatSimSip, header, parseSimSip, simAuthorization, simBranch, simResponse, simTag, type SimSipMessage } from './sim-sip.ts';
import { SimRtpStream } from './sim-rtp-stream.ts';
import { SimSipLink } from './sim-sip-link.ts';
import { simRecordItems, simRecordings } from './sim-recordings.ts';

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
  private readonly calls = new Map<string, { stream?: SimRtpStream; playback?: SimPlayback; target: { host: string; port: number; ssrc: number; transport: 'udp' | 'tcp' } }>();
  readonly ptz: SimPtzCommand[] = [];
  readonly playbacks: SimPlayback[] = [];
  /** MediaStatus 121 (end of file) notifications sent at the end of playbacks. */
  mediaStatusSent = 0;
  invites = 0;
  byes = 0;
  subscribes = 0;
  /** Catalogue answers sent completely (every part 200-OKed). */
  catalogsSent = 0;
  private subscription: { callId: string; platform: string; event: string } | undefined;
  registered = false;
  /** Catalog queries received (answered or not). */
  catalogQueries = 0;

  constructor(readonly o: SimGbDeviceOptions) {}

  get id(): string {
    return this.o.deviceId;
  }

  get activeStreams(): number {
    return [...this.calls.values()].filter((c) => c.stream).length;
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

  private serverUri(): string {
    return `sip:${this.o.server.id}@${this.o.server.domain}`;
  }

  private xml(root: string, fields: Array<[string, string]>, inner = ''): Buffer {
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
    if (method === 'INVITE') return this.onInvite(message, rinfo);
    if (method === 'ACK') return this.onAck(message);
    if (method === 'SUBSCRIBE') {
      this.subscription = { callId: header(message, 'Call-ID')!, platform: header(message, 'From')!, event: header(message, 'Event') ?? 'Catalog' };
      this.subscribes++;
      const sn = /<SN>(\d+)<\/SN>/.exec(message.body.toString('latin1'))?.[1] ?? '0';
      return this.reply(simResponse(message, 200, 'OK', [['Expires', header(message, 'Expires') ?? '3600'], ['Content-Type', 'Application/MANSCDP+xml']],
        this.xml('Response', [['CmdType', 'Catalog'], ['SN', sn], ['DeviceID', this.o.deviceId], ['Result', 'OK']])), rinfo);
    }
    if (method === 'BYE') {
      this.byes++;
      this.endCall(header(message, 'Call-ID')!);
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
    if (cmd === 'Catalog' && ++this.catalogQueries > (this.o.catalogQueriesLost ?? 0)) void this.sendCatalog(sn).catch(() => {});
    if (cmd === 'DeviceInfo') {
      void this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], this.xml('Response', [
        ['CmdType', 'DeviceInfo'], ['SN', sn], ['DeviceID', this.o.deviceId], ['DeviceName', '模拟NVR'], ['Result', 'OK'],
        ['Manufacturer', 'SimVendor'], ['Model', 'SIM-NVR-1'], ['Firmware', '1.0'], ['Channel', String(this.o.channels.length)],
      ])).catch(() => {});
    }
    if (cmd === 'RecordInfo') void this.sendRecords(sn, field('DeviceID'), field('StartTime'), field('EndTime')).catch(() => {});
    if (cmd === 'PresetQuery') void this.sendPresets(sn, field('DeviceID')).catch(() => {});
    if (cmd === 'DeviceControl' && field('PTZCmd')) this.ptz.push({ channelId: field('DeviceID'), cmd: field('PTZCmd') });
  }

  /** The catalogue in parts of `catalogGroup` items, each part sent after the previous one was 200-OKed. */
  private async sendCatalog(sn: string): Promise<void> {
    const group = this.o.catalogGroup ?? 2;
    const all = this.o.channels;
    for (let at = 0; at < Math.max(all.length, 1); at += group) {
      const items = all.slice(at, at + group).map((c) => `<Item><DeviceID>${c.id}</DeviceID><Name>${c.name}</Name><Manufacturer>SimVendor</Manufacturer>`
        + `<Model>SIM-IPC</Model><Owner>Owner</Owner><CivilCode>${c.civilCode ?? c.id.slice(0, 6)}</CivilCode><Address>${c.address ?? ''}</Address>`
        + `<Parental>0</Parental><ParentID>${this.o.deviceId}</ParentID><SafetyWay>0</SafetyWay><RegisterWay>1</RegisterWay><Secrecy>0</Secrecy>`
        + `<Status>ON</Status>${c.lon !== undefined ? `<Longitude>${c.lon}</Longitude><Latitude>${c.lat}</Latitude>` : ''}`
        + `<Info><PTZType>${c.ptzType ?? 3}</PTZType></Info></Item>`).join('');
      const body = this.xml('Response', [['CmdType', 'Catalog'], ['SN', sn], ['DeviceID', this.o.deviceId], ['SumNum', String(all.length)]],
        `\r\n<DeviceList Num="${Math.min(group, all.length - at)}">${items}</DeviceList>`);
      await this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], body);
    }
    this.catalogsSent++;
  }

  /** The channel's presets in one Response (`PresetList` of `PresetID` and `PresetName`, as wvp reads them). */
  private async sendPresets(sn: string, channelId: string): Promise<void> {
    const presets = this.o.presets ?? [{ id: 1, name: '大门' }, { id: 2, name: '停车场入口' }];
    const items = presets.map((p) => `<Item><PresetID>${p.id}</PresetID><PresetName>${p.name}</PresetName></Item>`).join('');
    await this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], this.xml('Response', [
      ['CmdType', 'PresetQuery'], ['SN', sn], ['DeviceID', channelId], ['SumNum', String(presets.length)]], `\r\n<PresetList Num="${presets.length}">${items}</PresetList>`));
  }

  /** The channel's recordings (sim-recordings.ts), two items per MESSAGE. */
  private async sendRecords(sn: string, channelId: string, startText: string, endText: string): Promise<void> {
    const records = simRecordings(startText, endText);
    for (let i = 0; i < Math.max(records.length, 1); i += 2) {
      const part = records.slice(i, i + 2);
      await this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], this.xml('Response', [
        ['CmdType', 'RecordInfo'], ['SN', sn], ['DeviceID', channelId], ['Name', 'Camera'], ['SumNum', String(records.length)]], `\r\n<RecordList Num="${part.length}">${simRecordItems(channelId, part)}</RecordList>`));
    }
  }

  private onInvite(message: SimSipMessage, rinfo: RemoteInfo): void {
    this.invites++;
    const sdp = message.body.toString('latin1');
    const host = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
    const port = Number(/^m=video (\d+)/m.exec(sdp)?.[1]);
    const offered = Number(/^y=(\d{1,10})/m.exec(sdp)?.[1] ?? '0');
    const channelId = /^sips?:(\d+)@/.exec(message.startLine.split(' ')[1] ?? '')?.[1] ?? '';
    if (!host || !port || !this.o.channels.some((c) => c.id === channelId)) return this.reply(simResponse(message, 404, 'Not Found'), rinfo);
    const tcp = /TCP\/RTP/.test(sdp);
    // TCP active (the platform would wait for us to listen) is not simulated.
    if (tcp && !/^a=setup:passive/m.test(sdp)) return this.reply(simResponse(message, 488, 'Not Acceptable Here'), rinfo);
    const callId = header(message, 'Call-ID')!;
    // Playback (facts sheet §4.1): s=Playback, u=<channel>:0, t=<start> <end> in Unix seconds.
    const playback = /^s=Playback\s*$/m.test(sdp);
    const times = /^t=(\d+) (\d+)/m.exec(sdp);
    const recorded = playback ? /^u=(\d{20}):/m.exec(sdp)?.[1] : undefined;
    if (playback && (!times || Number(times[2]) <= Number(times[1]) || recorded !== channelId)) return this.reply(simResponse(message, 400, 'Bad Request'), rinfo);
    const ssrc = this.o.answerSsrc ?? offered;
    const call: { target: { host: string; port: number; ssrc: number; transport: 'udp' | 'tcp' }; playback?: SimPlayback } = { target: { host, port, ssrc, transport: tcp ? 'tcp' : 'udp' } };
    if (playback) {
      call.playback = { channelId, start: Number(times![1]), end: Number(times![2]), callId };
      this.playbacks.push(call.playback);
    }
    this.calls.set(callId, call);
    this.reply(simResponse(message, 100, 'Trying'), rinfo);
    const answer = ['v=0', `o=${channelId} 0 0 IN IP4 127.0.0.1`, `s=${playback ? 'Playback' : 'Play'}`, 'c=IN IP4 127.0.0.1', playback ? `t=${times![1]} ${times![2]}` : 't=0 0',
      `m=video 15060 ${tcp ? 'TCP/' : ''}RTP/AVP 96`, 'a=rtpmap:96 PS/90000', 'a=sendonly', ...(tcp ? ['a=setup:active', 'a=connection:new'] : []), `y=${String(ssrc).padStart(10, '0')}`, ''].join('\r\n');
    this.reply(simResponse(message, 200, 'OK', [['Contact', `<sip:${channelId}@127.0.0.1:${this.port}>`], ['Content-Type', 'APPLICATION/SDP']], Buffer.from(answer)), rinfo);
  }

  private onAck(message: SimSipMessage): void {
    const callId = header(message, 'Call-ID')!;
    const call = this.calls.get(callId);
    if (!call || call.stream || this.o.silent) return;
    const playback = call.playback;
    // A recording ends: as many frames as the range (capped for tests), then MediaStatus 121 in the call's dialog.
    const seconds = playback ? Math.min(playback.end - playback.start, this.o.playbackSeconds ?? Infinity) : undefined;
    call.stream = new SimRtpStream({
      ...call.target, units: this.o.units, fps: this.o.fps, frames: seconds === undefined ? undefined : Math.ceil(seconds * this.o.fps),
      onEnd: () => { void this.sendMediaStatus(playback!.channelId, callId).catch(() => {}); },
    });
    call.stream.start();
  }

  /** `MediaStatus` 121: the file (recording) has been sent to its end. */
  async sendMediaStatus(channelId: string, callId: string): Promise<number> {
    const body = this.xml('Notify', [['CmdType', 'MediaStatus'], ['SN', String(this.cseq)], ['DeviceID', channelId], ['NotifyType', '121']]);
    this.mediaStatusSent++;
    const answer = await this.request('MESSAGE', this.serverUri(), [['Content-Type', 'Application/MANSCDP+xml']], body, callId);
    return Number(answer.startLine.split(' ')[1]);
  }

  private endCall(callId: string): void {
    this.calls.get(callId)?.stream?.stop();
    this.calls.delete(callId);
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
    for (const call of this.calls.values()) {
      call.stream?.stop();
      call.stream = undefined;
    }
  }

  /** Where the running calls send RTP (tests inject stray packets there). */
  streamTargets(): Array<{ host: string; port: number; ssrc: number; transport: 'udp' | 'tcp' }> {
    return [...this.calls.values()].map((c) => c.target);
  }

  /** Gone without a word (power cut): no unregister, no more keepalives or RTP. */
  kill(): void {
    clearTimeout(this.keepalive);
    for (const id of [...this.calls.keys()]) this.endCall(id);
    this.socket?.close();
    this.socket = undefined;
    this.registered = false;
  }
}
