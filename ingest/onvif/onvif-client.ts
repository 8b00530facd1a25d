import type { Logger } from 'pino';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { boundedFetch, safeOrigin } from './bounded-fetch.ts';
import { messages, soapEnvelope } from './onvif-messages.ts';
import { child, children, parseXmlSafely, path, text, type XmlNode } from './safe-xml.ts';
import { usernameTokenHeader } from './ws-security.ts';
import { parseCapabilities, parseDeviceInformation, parseDeviceTime, parsePresets, parseProfiles, type DeviceInformation, type OnvifProfile, type OnvifServices, type PtzPreset } from './onvif-parse.ts';

export interface OnvifCredentials {
  username: string;
  password: string;
}

export interface OnvifClientOptions {
  /** Device service URL of the adopted device; credentials go to its exact origin and nowhere else. */
  xaddr: string;
  credentials?: OnvifCredentials;
  timeoutMs: number;
  maxBytes: number;
  log?: Pick<Logger, 'warn' | 'debug'>;
}

/**
 * A hardened ONVIF SOAP client: every exchange is bounded in time and size, replies are parsed without
 * DOCTYPE/entities, and WS-UsernameToken credentials are only ever sent to the origin (scheme, host,
 * port) of the device service URL the caller adopted. A service XAddr a device advertises on another
 * origin is not followed; the device service URL is used instead (most devices serve every service there).
 */
export class OnvifClient {
  readonly deviceOrigin: string;
  private clockOffsetMs = 0;

  constructor(private readonly options: OnvifClientOptions) {
    let url: URL;
    try { url = new URL(options.xaddr); } catch (cause) { throw new DomainError('ONVIF_XADDR_INVALID', 'ONVIF device address is not a valid URL', { cause }); }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DomainError('ONVIF_XADDR_INVALID', 'ONVIF device address must be http(s)');
    this.deviceOrigin = url.origin;
  }

  /** A service URL the device advertised, if it is on the device's origin; the device URL otherwise. */
  serviceUrl(advertised: string | undefined, service: string): string {
    if (!advertised) return this.options.xaddr;
    if (safeOrigin(advertised) === this.deviceOrigin) return advertised;
    this.options.log?.warn({ device: this.deviceOrigin, advertised: safeOrigin(advertised), service }, 'ONVIF service address on another origin refused; using the device service address');
    return this.options.xaddr;
  }

  /** Unauthenticated reachability check; also measures the device clock for UsernameToken Created. */
  async getSystemDateAndTime(): Promise<number> {
    const body = await this.call(this.options.xaddr, messages.getSystemDateAndTime(), 'GetSystemDateAndTimeResponse', false);
    const deviceTime = parseDeviceTime(body);
    if (deviceTime !== undefined) this.clockOffsetMs = deviceTime - Date.now();
    return deviceTime ?? Date.now();
  }

  async getDeviceInformation(): Promise<DeviceInformation> {
    return parseDeviceInformation(await this.call(this.options.xaddr, messages.getDeviceInformation(), 'GetDeviceInformationResponse'));
  }

  /** Service addresses from GetCapabilities, falling back to GetServices; foreign origins replaced. */
  async getServices(): Promise<OnvifServices> {
    let services: OnvifServices;
    try {
      services = parseCapabilities(await this.call(this.options.xaddr, messages.getCapabilities(), 'GetCapabilitiesResponse'), 'capabilities');
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'ONVIF_FAULT') throw error;
      services = parseCapabilities(await this.call(this.options.xaddr, messages.getServices(), 'GetServicesResponse'), 'services');
    }
    return {
      media: this.serviceUrl(services.media, 'media'),
      ptz: services.ptz === undefined ? undefined : this.serviceUrl(services.ptz, 'ptz'),
    };
  }

  async getProfiles(mediaUrl: string): Promise<OnvifProfile[]> {
    return parseProfiles(await this.call(mediaUrl, messages.getProfiles(), 'GetProfilesResponse'));
  }

  async getStreamUri(mediaUrl: string, profileToken: string): Promise<string> {
    return this.mediaUri(await this.call(mediaUrl, messages.getStreamUri(profileToken), 'GetStreamUriResponse'), 'StreamUri');
  }

  async getSnapshotUri(mediaUrl: string, profileToken: string): Promise<string> {
    return this.mediaUri(await this.call(mediaUrl, messages.getSnapshotUri(profileToken), 'GetSnapshotUriResponse'), 'SnapshotUri');
  }

  async continuousMove(ptzUrl: string, profileToken: string, velocity: { pan: number; tilt: number; zoom: number }, timeoutMs: number): Promise<void> {
    await this.call(ptzUrl, messages.continuousMove(profileToken, velocity.pan, velocity.tilt, velocity.zoom, timeoutMs), 'ContinuousMoveResponse');
  }

  async stop(ptzUrl: string, profileToken: string): Promise<void> {
    await this.call(ptzUrl, messages.stop(profileToken), 'StopResponse');
  }

  async getPresets(ptzUrl: string, profileToken: string): Promise<PtzPreset[]> {
    return parsePresets(await this.call(ptzUrl, messages.getPresets(profileToken), 'GetPresetsResponse'));
  }

  async gotoPreset(ptzUrl: string, profileToken: string, presetToken: string): Promise<void> {
    await this.call(ptzUrl, messages.gotoPreset(profileToken, presetToken), 'GotoPresetResponse');
  }

  private mediaUri(body: XmlNode, what: string): string {
    const uri = text(child(body, 'MediaUri'), 'Uri');
    if (!uri) throw new DomainError('ONVIF_REPLY_INVALID', `${this.deviceOrigin} sent no ${what}`);
    return uri;
  }

  /** One SOAP exchange; returns the expected response element of the body. */
  private async call(url: string, bodyXml: string, expect: string, authenticate = true): Promise<XmlNode> {
    const credentials = authenticate ? this.options.credentials : undefined;
    if (credentials && safeOrigin(url) !== this.deviceOrigin) {
      // Defence in depth: serviceUrl() already keeps foreign origins out.
      throw new DomainError('ONVIF_FOREIGN_ORIGIN', `refusing to send credentials to ${safeOrigin(url)}, which is not the adopted device ${this.deviceOrigin}`);
    }
    const header = credentials ? usernameTokenHeader(credentials.username, credentials.password, Date.now() + this.clockOffsetMs) : '';
    const response = await boundedFetch({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
      body: soapEnvelope(bodyXml, header),
      timeoutMs: this.options.timeoutMs,
      maxBytes: this.options.maxBytes,
    });
    const xml = response.body.toString('utf8');
    const contentType = response.headers.get('content-type') ?? '';
    if (!/xml/i.test(contentType) && !xml.trimStart().startsWith('<?xml') && !/^\s*<[\w:]*Envelope/.test(xml)) {
      throw new DomainError('ONVIF_NOT_ONVIF', `${this.deviceOrigin} did not answer with SOAP (content-type ${contentType.slice(0, 60) || 'none'}); not an ONVIF device`);
    }
    const document = parseXmlSafely(xml, `ONVIF reply from ${this.deviceOrigin}`);
    const envelope = child(document, 'Envelope');
    if (Object.keys(envelope).length === 0) throw new DomainError('ONVIF_NOT_ONVIF', `${this.deviceOrigin} answered XML that is not a SOAP envelope; not an ONVIF device`);
    const fault = path(envelope, 'Body', 'Fault');
    if (Object.keys(fault).length > 0 || response.status >= 400) throw this.faultError(response.status, fault);
    const body = path(envelope, 'Body');
    if (!(expect in body)) throw new DomainError('ONVIF_REPLY_INVALID', `${this.deviceOrigin} answered without ${expect}`);
    return child(body, expect);
  }

  private faultError(status: number, fault: XmlNode): DomainError {
    const subcodes: string[] = [];
    let code = child(fault, 'Code');
    while (Object.keys(code).length > 0) {
      const value = text(code, 'Value');
      if (value) subcodes.push(value.split(':').pop()!);
      code = child(code, 'Subcode');
    }
    const reason = text(child(fault, 'Reason'), 'Text') ?? children(fault, 'faultstring').map(String)[0] ?? '';
    if (status === 401 || subcodes.includes('NotAuthorized')) {
      return new DomainError('ONVIF_AUTH_FAILED', `${this.deviceOrigin} refused the username or password`, { details: { subcodes } });
    }
    return new DomainError('ONVIF_FAULT', `${this.deviceOrigin} answered a SOAP fault (${subcodes.join('/') || `HTTP ${status}`}): ${reason.slice(0, 160)}`, { details: { subcodes } });
  }
}

