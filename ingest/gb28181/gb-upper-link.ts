import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import type { Gb28181Config } from './gb28181-config.ts';
import { gbLocalTime } from './gb-ids.ts';
import { mediaIpOf, type GbSipServer } from './gb-sip-server.ts';
import { buildManscdp, MANSCDP_CONTENT_TYPE, parseManscdp, text, type Manscdp } from './manscdp.ts';
import { digestResponse, parseDigest } from './sip-digest.ts';
import { newCallId, newTag } from './sip-endpoint.ts';
import { uriUser, type SipRequest, type SipResponse } from './sip-message.ts';
import type { SipPeer } from './sip-transport.ts';
import { relayPtz, relayRecordInfo, upperRequestDecision, type LowerDevices } from './gb-upper-relay.ts';
import type { RelayPool } from '../../relay/relay-pool.ts';
import type { AuditEventInput } from '../../api/audit/audit-log.ts';
import { GbUpperCalls, type HubRecordings } from './gb-upper-calls.ts';
import { UpperAudit } from './gb-upper-audit.ts';
import type { GbLiveFeeds } from './gb-live-feeds.ts';

/** A camera as the upper platform's catalogue lists it. */
export interface UpperChannel {
  /** The national channel ID. */
  id: string;
  cameraId: string;
  name: string;
  address: string | null;
  lat: number | null;
  lon: number | null;
  online: boolean;
  /** A channel of a GB device registered here (PTZ and RecordInfo can be relayed to it). */
  gb: boolean;
  /** The share lets the upper move it / list its recordings. */
  ptz: boolean;
  playback: boolean;
}

export type UpperState = 'off' | 'registering' | 'online' | 'offline';

/**
 * Cascade to the upper platform (the hub as a lower platform, as wvp does it): REGISTER with digest,
 * re-register before expiry, Keepalive every `keepaliveSeconds`, offline after 3 unanswered and then
 * registering again; answers the upper's Catalog query with the cameras shared upward (one item per
 * MESSAGE, each sent after the previous was 200-OKed) and its DeviceInfo query; an INVITE for a shared
 * channel (live, or `s=Playback` with the share's playback right) is answered by GbUpperCalls; BYE or
 * withdrawing the share stops it. What the upper does with our cameras (play, playback, PTZ, RecordInfo) is
 * audited, refusals too.
 */
export class GbUpperLink {
  state: UpperState = 'off';
  private registeredUntil = 0;
  private nextKeepaliveAt = 0;
  private keepaliveFailures = 0;
  private retryAt = 0;
  private readonly task: PeriodicTask<void>;
  private readonly upper: Gb28181Config['upper'];
  /** Calls from the upper platform (live and playback). */
  private readonly calls: GbUpperCalls;
  private readonly audit: UpperAudit;
  relay: (() => Pick<RelayPool, 'acquire'> | undefined) | undefined;
  /** The hub's own recordings, played to the upper first; undefined when recording is off. */
  recordings: (() => HubRecordings | undefined) | undefined;
  /** Device recordings, for GB channels the hub has not recorded. */
  feeds: GbLiveFeeds | undefined;
  /** Where PTZ and RecordInfo of shared GB channels are relayed to. */
  lower: LowerDevices | undefined;
  ffmpegPath = 'ffmpeg';

  constructor(
    private readonly config: Gb28181Config,
    private readonly server: GbSipServer,
    private readonly shared: () => Promise<UpperChannel[]>,
    private readonly log: Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>,
    audit: { append: (event: AuditEventInput) => Promise<unknown>; cameraOf: (nationalId: string) => Promise<string | undefined> },
  ) {
    this.upper = config.upper;
    this.task = new PeriodicTask({ run: () => this.tick(), everyMs: 500, onError: (error) => log.warn({ err: error }, 'GB28181 upper link failed') });
    this.audit = new UpperAudit(config.upper.serverId, audit.append, audit.cameraOf);
    this.calls = new GbUpperCalls({
      config, server, localId: () => this.localId, shared, relay: () => this.relay?.(), recordings: () => this.recordings?.(), feeds: () => this.feeds,
      ffmpegPath: () => this.ffmpegPath, audit: this.audit, log,
      endOfFile: async (callId, channelId) => {
        const body = buildManscdp('Notify', [['CmdType', 'MediaStatus'], ['SN', String(randomInt(100_000, 999_999))], ['DeviceID', channelId], ['NotifyType', '121']]);
        await this.message(body, callId);
      },
    });
  }

  private get peer(): SipPeer {
    return { transport: 'udp', address: this.upper.host, port: this.upper.port };
  }

  private get localId(): string {
    return this.upper.localId || this.config.serverId;
  }

  start(): void {
    this.state = 'registering';
    this.task.start(0);
  }

  async stop(): Promise<void> {
    await this.task.stop();
    await this.calls.endAll();
    this.state = 'off';
  }

  /** Streams upward right now (tests, status). */
  streams(): Array<{ packetsSent: number }> {
    return this.calls.streams();
  }

  /** A share was withdrawn: its calls end (BYE to the upper is left to its RTP timeout). */
  async endChannel(nationalId: string): Promise<void> {
    await this.calls.endChannel(nationalId);
  }

  /** Whether a request comes from the upper platform (its ID in From). */
  handles(request: SipRequest): boolean {
    return uriUser(request.headers.get('from')) === this.upper.serverId;
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    if (this.state !== 'online' || now >= this.registeredUntil) {
      if (now < this.retryAt) return;
      const ok = await this.register().catch(() => false);
      if (!ok) {
        this.state = 'offline';
        this.retryAt = Date.now() + 5_000;
      }
      return;
    }
    if (now < this.nextKeepaliveAt) return;
    this.nextKeepaliveAt = now + this.upper.keepaliveSeconds * 1_000;
    const body = buildManscdp('Notify', [['CmdType', 'Keepalive'], ['SN', String(randomInt(100_000, 999_999))], ['DeviceID', this.localId], ['Status', 'OK']]);
    const answer = await this.message(body).catch(() => undefined);
    this.keepaliveFailures = answer?.status === 200 ? 0 : this.keepaliveFailures + 1;
    if (this.keepaliveFailures >= 3) {
      this.log.warn({ upper: this.upper.serverId }, 'GB28181 upper platform stopped answering keepalives; registering again');
      this.state = 'offline';
      this.keepaliveFailures = 0;
    }
  }

  private async register(): Promise<boolean> {
    const { serverId, domain, expires, password } = this.upper;
    const uri = `sip:${serverId}@${this.upper.host}:${this.upper.port}`;
    const callId = newCallId(this.server.endpoint.host);
    const tag = newTag();
    const build = (cseq: number, extra: Array<[string, string]>) => this.server.endpoint.build(this.peer, {
      method: 'REGISTER', uri, callId, cseq, from: `<sip:${this.localId}@${domain}>;tag=${tag}`, to: `<sip:${this.localId}@${domain}>`,
      headers: [['contact', `<sip:${this.localId}@${mediaIpOf(this.config)}:${this.server.port}>`], ['expires', String(expires)], ...extra],
    });
    let answer: SipResponse = await this.server.endpoint.request(this.peer, build(1, []), { timeoutMs: 8_000 });
    if (answer.status === 401) {
      const challenge = parseDigest(answer.headers.get('www-authenticate'));
      if (!challenge?.nonce) return false;
      const username = this.upper.username || this.localId;
      const qop = challenge.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
      const cnonce = newTag();
      const response = digestResponse({ username, realm: challenge.realm ?? domain, password, method: 'REGISTER', uri, nonce: challenge.nonce, qop, nc: '00000001', cnonce });
      const auth = `Digest username="${username}",realm="${challenge.realm ?? domain}",nonce="${challenge.nonce}",uri="${uri}",response="${response}",algorithm=MD5${qop ? `,qop=auth,cnonce="${cnonce}",nc=00000001` : ''}`;
      answer = await this.server.endpoint.request(this.peer, build(2, [['authorization', auth]]), { timeoutMs: 8_000 });
    }
    if (answer.status !== 200) {
      this.log.warn({ upper: serverId, status: answer.status }, 'GB28181 upper platform refused our REGISTER');
      return false;
    }
    const granted = Number(answer.headers.get('expires')) || expires;
    this.registeredUntil = Date.now() + granted * 1_000 - 500;
    this.nextKeepaliveAt = Date.now() + this.upper.keepaliveSeconds * 1_000;
    if (this.state !== 'online') this.log.info({ upper: serverId }, 'GB28181 registered to the upper platform');
    this.state = 'online';
    return true;
  }

  /** A MESSAGE to the upper (in a call's Call-ID when given: MediaStatus of that call). */
  private message(body: Buffer, callId = newCallId(this.server.endpoint.host)): Promise<SipResponse> {
    const { serverId, domain } = this.upper;
    const request = this.server.endpoint.build(this.peer, {
      method: 'MESSAGE', uri: `sip:${serverId}@${this.upper.host}:${this.upper.port}`, callId, cseq: 1,
      from: `<sip:${this.localId}@${domain}>;tag=${newTag()}`, to: `<sip:${serverId}@${domain}>`, headers: [['content-type', MANSCDP_CONTENT_TYPE]], body,
    });
    return this.server.endpoint.request(this.peer, request, { timeoutMs: 8_000 });
  }

  /** A request from the upper platform. */
  async onRequest(request: SipRequest, peer: SipPeer): Promise<void> {
    const endpoint = this.server.endpoint;
    if (request.method === 'INVITE') return this.calls.onInvite(request, peer);
    if (request.method === 'ACK') return this.calls.onAck(request);
    if (request.method === 'BYE') {
      await endpoint.respond(request, peer, 200, 'OK');
      return this.calls.end(request.headers.get('call-id')!);
    }
    if (request.method !== 'MESSAGE') return endpoint.respond(request, peer, 501, 'Not Implemented');
    let doc;
    try {
      doc = parseManscdp(request.body);
    } catch {
      return endpoint.respond(request, peer, 400, 'Bad MANSCDP body');
    }
    // DeviceControl and RecordInfo for a shared channel go to its device if the share allows it (wvp: 404 when not shared).
    if ((doc.root === 'Control' && doc.cmdType === 'DeviceControl') || (doc.root === 'Query' && doc.cmdType === 'RecordInfo')) {
      const shared = await this.shared();
      const decision = upperRequestDecision(doc, shared);
      await endpoint.respond(request, peer, decision.status, decision.reason);
      await this.auditRequest(doc, shared, decision, peer);
      if (decision.status !== 200 || !this.lower) return;
      if (decision.right === 'ptz') return relayPtz(doc, this.lower, this.log);
      return relayRecordInfo(doc, this.lower, (body) => this.message(body).catch(() => undefined));
    }
    await endpoint.respond(request, peer, 200, 'OK');
    if (doc.root !== 'Query') return;
    if (doc.cmdType === 'Catalog') await this.sendCatalog(doc.sn);
    if (doc.cmdType === 'DeviceInfo') {
      await this.message(buildManscdp('Response', [['CmdType', 'DeviceInfo'], ['SN', doc.sn], ['DeviceID', this.localId], ['DeviceName', 'camera-sharing-hub'],
        ['Manufacturer', 'camera-sharing-hub'], ['Model', 'platform'], ['Firmware', '0.1'], ['Result', 'OK']])).catch(() => undefined);
    }
  }

  /** DeviceControl (PTZ) and RecordInfo from the upper, relayed or refused, into the audit trail. */
  private async auditRequest(doc: Manscdp, shared: UpperChannel[], decision: { status: number; reason: string }, peer: SipPeer): Promise<void> {
    const action = doc.cmdType === 'DeviceControl' ? 'ptz' : 'records';
    const details = action === 'ptz'
      ? { ptzCmd: (text(doc.node, 'PTZCmd') ?? '').slice(0, 32) }
      : { startTime: (text(doc.node, 'StartTime') ?? '').slice(0, 32), endTime: (text(doc.node, 'EndTime') ?? '').slice(0, 32), sn: doc.sn.slice(0, 32) };
    const channel = shared.find((c) => c.id === doc.deviceId);
    if (decision.status === 200 && channel) return this.audit.allowed(action, channel, peer, details);
    await this.audit.denied(action, doc.deviceId, peer, `SIP_${decision.status}`, channel?.cameraId, { ...details, sipReason: decision.reason });
  }

  private async sendCatalog(sn: string): Promise<void> {
    const channels = await this.shared();
    const esc = (v: string) => v.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
    for (let i = 0; i < Math.max(1, channels.length); i++) {
      const c = channels[i];
      const item = c ? `<Item><DeviceID>${c.id}</DeviceID><Name>${esc(c.name)}</Name><Manufacturer>camera-sharing-hub</Manufacturer><Model>channel</Model>`
        + `<Owner>Owner</Owner><CivilCode>${c.id.slice(0, 6)}</CivilCode><Address>${esc(c.address ?? '')}</Address><Parental>0</Parental><ParentID>${this.localId}</ParentID>`
        + `<SafetyWay>0</SafetyWay><RegisterWay>1</RegisterWay><Secrecy>0</Secrecy><Status>${c.online ? 'ON' : 'OFF'}</Status>`
        + `${c.lon !== null && c.lat !== null ? `<Longitude>${c.lon}</Longitude><Latitude>${c.lat}</Latitude>` : ''}</Item>` : '';
      const body = buildManscdp('Response', [['CmdType', 'Catalog'], ['SN', sn], ['DeviceID', this.localId], ['SumNum', String(channels.length)]], 'GB2312',
        `<DeviceList Num="${c ? 1 : 0}">${item}</DeviceList>\r\n`);
      const answer = await this.message(body).catch(() => undefined);
      if (answer?.status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    this.log.info({ upper: this.upper.serverId, channels: channels.length, at: gbLocalTime() }, 'GB28181 catalogue sent to the upper platform');
  }
}
