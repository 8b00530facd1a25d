import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { PeriodicTask } from '../../api/kernel/process/periodic-task.ts';
import type { Gb28181Config } from './gb28181-config.ts';
import { GbCatalogAssembler, catalogChannels, type GbCatalogChannel } from './gb-catalog-assembler.ts';
import type { GbDeviceRepository } from './gb-device-repository.ts';
import { GbDeviceSessions, type GbDeviceSession } from './gb-device-sessions.ts';
import { GbCatalogSubscriptions } from './gb-catalog-subscriptions.ts';
import { GbRegistrar } from './gb-registrar.ts';
import { buildManscdp, MANSCDP_CONTENT_TYPE, parseManscdp, text, type Manscdp } from './manscdp.ts';
import { newCallId, newTag, SipEndpoint } from './sip-endpoint.ts';
import { uriUser, type SipRequest, type SipResponse } from './sip-message.ts';
import { SipTransport, type SipPeer } from './sip-transport.ts';

export interface GbSipServerHooks {
  online(deviceId: string): void;
  offline(deviceId: string, reason: string): void;
  /** A whole (or timed-out partial) catalogue answer, or the items of a catalogue notification. */
  catalog(deviceId: string, channels: GbCatalogChannel[], kind: 'complete' | 'partial' | 'notify'): void;
  /** A part of a catalogue answer arrived (the whole answer follows through `catalog`). */
  catalogPart?(deviceId: string): void;
  deviceInfo(deviceId: string, info: { name?: string; manufacturer?: string; model?: string; firmware?: string }): void;
  /** The device ended a call (BYE). */
  bye(callId: string): void;
  /** A part of a RecordInfo answer. */
  records(doc: Manscdp): void;
  /** A part of a PresetQuery answer. */
  presets(doc: Manscdp): void;
  /** MediaStatus 121: a playback the device sent reached the end of the recording. */
  mediaStatus(callId: string | undefined, channelId: string, notifyType: string): void;
}

type Log = Pick<Logger, 'info' | 'warn' | 'debug' | 'error'>;

/**
 * The SIP server devices and lower platforms register to: REGISTER (GbRegistrar), MANSCDP MESSAGE and
 * NOTIFY (keepalive, catalogue, device info), BYE; keepalive deadlines; queries to devices.
 */
export class GbSipServer {
  readonly transport: SipTransport;
  readonly endpoint: SipEndpoint;
  readonly sessions = new GbDeviceSessions();
  readonly subscriptions: GbCatalogSubscriptions;
  private readonly registrar: GbRegistrar;
  private readonly catalogs: GbCatalogAssembler;
  private readonly deadlines: PeriodicTask<void>;
  private lastExpiryPass = Date.now();
  /** The cascade link: requests from the upper platform go to it. */
  upper: { handles(request: SipRequest): boolean; onRequest(request: SipRequest, peer: SipPeer): Promise<void> } | undefined;
  /** Requests refused as malformed (for the hostile-input tests and metrics). */
  malformed = 0;

  constructor(private readonly config: Gb28181Config, private readonly devices: GbDeviceRepository, private readonly hooks: GbSipServerHooks, private readonly log: Log) {
    this.transport = new SipTransport({ host: config.host, port: config.port, tcpIdleMs: config.tcpIdleSeconds * 1_000 });
    this.endpoint = new SipEndpoint(this.transport, { host: mediaIpOf(config) });
    this.subscriptions = new GbCatalogSubscriptions(this, config, log);
    this.registrar = new GbRegistrar(config, this.endpoint, devices, this.sessions, {
      online: (id) => hooks.online(id),
      offline: (id, reason) => { this.subscriptions.drop(id); hooks.offline(id, reason); },
    }, log);
    this.catalogs = new GbCatalogAssembler(config.catalogPartTimeoutSeconds * 1_000, (id, channels, complete) => hooks.catalog(id, channels, complete ? 'complete' : 'partial'));
    this.deadlines = new PeriodicTask({ run: () => this.expire(), everyMs: Math.min(1_000, config.keepaliveIntervalSeconds * 250), onError: (error) => log.warn({ err: error }, 'GB28181 keepalive check failed') });
    this.endpoint.on('request', (request, peer) => {
      this.onRequest(request, peer).catch((error: Error) => {
        log.warn({ err: error, method: request.method }, 'GB28181 request failed');
        void this.endpoint.respond(request, peer, 500, 'Server Internal Error');
      });
    });
    this.transport.on('malformed', (error, peer) => {
      this.malformed++;
      log.debug({ err: error, address: peer.address }, 'GB28181 malformed SIP dropped');
    });
  }

  get port(): number {
    return this.transport.port;
  }

  async start(): Promise<void> {
    await this.transport.start();
    this.deadlines.start();
    this.subscriptions.start();
  }

  async stop(): Promise<void> {
    await this.deadlines.stop();
    await this.subscriptions.stop();
    this.catalogs.stop();
    this.endpoint.close();
    await this.transport.stop();
  }

  private async onRequest(request: SipRequest, peer: SipPeer): Promise<void> {
    if (request.method !== 'REGISTER' && this.upper?.handles(request)) return this.upper.onRequest(request, peer);
    switch (request.method) {
      case 'REGISTER': return this.registrar.onRegister(request, peer);
      case 'MESSAGE':
      case 'NOTIFY': return this.onManscdp(request, peer);
      case 'BYE':
        await this.endpoint.respond(request, peer, 200, 'OK');
        this.hooks.bye(request.headers.get('call-id')!);
        return;
      case 'ACK': return;
      case 'OPTIONS': return this.endpoint.respond(request, peer, 200, 'OK', { headers: [['allow', 'REGISTER, MESSAGE, NOTIFY, INVITE, ACK, BYE, OPTIONS']] });
      default: return this.endpoint.respond(request, peer, 501, 'Not Implemented');
    }
  }

  private async onManscdp(request: SipRequest, peer: SipPeer): Promise<void> {
    const deviceId = uriUser(request.headers.get('from'));
    const session = deviceId ? this.sessions.get(deviceId) : undefined;
    // Unknown or unregistered senders get 404 (wvp does the same): a device that kept sending keepalives
    // across our restart re-registers.
    if (!deviceId || !session) return this.endpoint.respond(request, peer, 404, 'Device not registered');
    let doc: Manscdp;
    try {
      doc = parseManscdp(request.body, session.charset);
    } catch (error) {
      const code = error instanceof DomainError ? error.code : 'MANSCDP_INVALID';
      return this.endpoint.respond(request, peer, code === 'MANSCDP_INVALID' ? 415 : 400, 'Bad MANSCDP body');
    }
    await this.endpoint.respond(request, peer, 200, 'OK');
    session.peer = peer; // keepalives and answers refresh where the device is (NAT rebinding)
    const now = Date.now();
    session.lastKeepaliveAt = now;
    if (doc.cmdType === 'Keepalive') {
      if (now - session.persistedAt > 5_000) {
        session.persistedAt = now;
        await this.devices.update(deviceId, { last_keepalive_at: now, address: peer.address, port: peer.port });
      }
    } else if (doc.cmdType === 'Catalog' && doc.root === 'Response') {
      this.hooks.catalogPart?.(deviceId);
      this.catalogs.push(deviceId, doc);
    } else if (doc.cmdType === 'Catalog' && doc.root === 'Notify') {
      this.hooks.catalog(deviceId, catalogChannels(doc), 'notify');
    } else if (doc.cmdType === 'RecordInfo' && doc.root === 'Response') {
      this.hooks.records(doc);
    } else if (doc.cmdType === 'PresetQuery' && doc.root === 'Response') {
      this.hooks.presets(doc);
    } else if (doc.cmdType === 'MediaStatus' && doc.root === 'Notify') {
      this.hooks.mediaStatus(request.headers.get('call-id'), doc.deviceId, text(doc.node, 'NotifyType') ?? '');
    } else if (doc.cmdType === 'DeviceInfo' && doc.root === 'Response') {
      this.hooks.deviceInfo(deviceId, {
        name: text(doc.node, 'DeviceName'), manufacturer: text(doc.node, 'Manufacturer'), model: text(doc.node, 'Model'), firmware: text(doc.node, 'Firmware'),
      });
    }
  }

  /** Devices past their keepalive or registration deadline go offline. */
  private async expire(): Promise<void> {
    const window = this.config.keepaliveIntervalSeconds * this.config.keepaliveMisses * 1_000;
    // After a stall of the event loop the keepalives that arrived meanwhile are still queued: read them first.
    const now = Date.now();
    const late = now - this.lastExpiryPass > 2_000 + Math.min(1_000, this.config.keepaliveIntervalSeconds * 250);
    this.lastExpiryPass = now;
    if (late) return;
    for (const session of this.sessions.expired(Date.now(), window)) {
      this.sessions.delete(session.id);
      this.subscriptions.drop(session.id);
      this.hooks.offline(session.id, `no keepalive for ${this.config.keepaliveMisses} × ${this.config.keepaliveIntervalSeconds} s`);
    }
  }

  /** Sends a MANSCDP Query or Control to a registered device; resolves with the SN once the device 200-OKed it. */
  async query(deviceId: string, cmdType: string, fields: Array<[string, string]> = [], root: 'Query' | 'Control' = 'Query', trustedXml = ''): Promise<string> {
    const session = this.sessionOf(deviceId);
    const sn = String(randomInt(100_000, 999_999));
    const body = buildManscdp(root, [['CmdType', cmdType], ['SN', sn], ['DeviceID', fields.find(([n]) => n === 'DeviceID')?.[1] ?? deviceId], ...fields.filter(([n]) => n !== 'DeviceID')], session.charset, trustedXml);
    const target = fields.find(([n]) => n === 'DeviceID')?.[1] ?? deviceId;
    const response = await this.request(session, 'MESSAGE', `sip:${target}@${session.peer.address}:${session.peer.port}`, body, MANSCDP_CONTENT_TYPE);
    if (response.status !== 200) throw new DomainError('GB_DEVICE_REFUSED', `device ${deviceId} answered ${cmdType} with ${response.status} ${response.reason}`);
    return sn;
  }

  /** A request to a device in a new dialog (From our server ID, To the target ID). */
  request(session: GbDeviceSession, method: string, uri: string, body: Buffer, contentType: string, extra: Array<[string, string]> = [], callId = newCallId(this.endpoint.host), timeoutMs?: number): Promise<SipResponse> {
    const target = uriUser(uri) ?? session.id;
    const message = this.endpoint.build(session.peer, {
      method, uri, callId, cseq: 1,
      from: `<sip:${this.config.serverId}@${this.config.domain}>;tag=${newTag()}`, to: `<sip:${target}@${this.config.domain}>`,
      headers: [['content-type', contentType], ...extra], body,
    });
    return this.endpoint.request(session.peer, message, { timeoutMs });
  }

  sessionOf(deviceId: string): GbDeviceSession {
    const session = this.sessions.get(deviceId);
    if (!session) throw new DomainError('GB_DEVICE_OFFLINE', `device ${deviceId} is not registered`);
    return session;
  }
}

/** The IP we put in Via, Contact and SDP c=. */
export function mediaIpOf(config: Pick<Gb28181Config, 'mediaIp' | 'host'>): string {
  if (config.mediaIp) return config.mediaIp;
  return config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
}
