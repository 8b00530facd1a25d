import type { Logger } from 'pino';
import type { Gb28181Config } from './gb28181-config.ts';
import type { GbDeviceRepository } from './gb-device-repository.ts';
import type { GbDeviceSessions } from './gb-device-sessions.ts';
import { gbLocalTime, isGbId } from './gb-ids.ts';
import { GbNonces } from './gb-nonces.ts';
import { challengeHeader, parseDigest, verifyDigest } from './sip-digest.ts';
import type { SipEndpoint } from './sip-endpoint.ts';
import { param, uriUser, type SipRequest } from './sip-message.ts';
import type { SipPeer } from './sip-transport.ts';

export interface RegistrarHooks {
  /** A device registered anew (not a refresh). */
  online(deviceId: string): void;
  offline(deviceId: string, reason: string): void;
}

/**
 * REGISTER as wvp answers it: 400 without Expires, 403 for a malformed or (strict) unknown ID, 401 digest
 * challenge (realm = SIP domain), 403 wrong password, a refresh on the same Call-ID without a new challenge,
 * Expires 0 unregisters; the 200 carries Contact, Expires and a zone-less local Date (time sync).
 */
export class GbRegistrar {
  private readonly nonces = new GbNonces();

  constructor(
    private readonly config: Gb28181Config,
    private readonly endpoint: SipEndpoint,
    private readonly devices: GbDeviceRepository,
    private readonly sessions: GbDeviceSessions,
    private readonly hooks: RegistrarHooks,
    private readonly log: Pick<Logger, 'info' | 'warn'>,
  ) {}

  async onRegister(request: SipRequest, peer: SipPeer): Promise<void> {
    const reply = (status: number, reason: string, headers: Array<[string, string]> = []) => this.endpoint.respond(request, peer, status, reason, { headers });
    const deviceId = uriUser(request.headers.get('from'));
    if (!isGbId(deviceId)) return reply(403, 'Device ID must be 20 digits');
    const contact = request.headers.get('contact');
    const expiresRaw = request.headers.get('expires') ?? param(contact, 'expires');
    if (expiresRaw === undefined || !/^\d{1,9}$/.test(expiresRaw)) return reply(400, 'Expires missing');
    const expires = Math.min(Number(expiresRaw), this.config.registerExpiresMaxSeconds);
    const device = await this.devices.find(deviceId);
    if (!device && this.config.strict) return reply(403, 'Unknown device');
    const password = (device && this.devices.passwordOf(device)) || this.config.password;
    if (!password) return reply(403, 'No password configured for this device');

    const callId = request.headers.get('call-id')!;
    const session = this.sessions.get(deviceId);
    const refresh = session !== undefined && session.callId === callId && session.peer.address === peer.address;
    if (!refresh) {
      const auth = parseDigest(request.headers.get('authorization'));
      if (!auth) return reply(401, 'Unauthorized', [['www-authenticate', challengeHeader(this.config.domain, this.nonces.issue())]]);
      if (!this.nonces.fresh(auth.nonce ?? '')) {
        return reply(401, 'Unauthorized', [['www-authenticate', `${challengeHeader(this.config.domain, this.nonces.issue())},stale=TRUE`]]);
      }
      if (!verifyDigest(auth, { realm: this.config.domain, password, method: 'REGISTER' })) {
        this.log.warn({ deviceId, address: peer.address }, 'GB28181 REGISTER with a wrong password');
        return reply(403, 'Wrong password');
      }
    }
    const now = Date.now();
    if (expires === 0) {
      await reply(200, 'OK', [['expires', '0'], ['date', gbLocalTime()]]);
      if (this.sessions.delete(deviceId)) this.hooks.offline(deviceId, 'unregistered');
      return;
    }
    const viaTransport = /^SIP\/2\.0\/(UDP|TCP)/i.exec(request.headers.get('via')!)?.[1]?.toLowerCase();
    const transport: 'udp' | 'tcp' = viaTransport === 'tcp' || peer.transport === 'tcp' ? 'tcp' : 'udp';
    const charset = device?.charset ?? 'GB2312';
    this.sessions.set({ id: deviceId, peer, charset, callId, expiresAt: now + expires * 1_000, lastKeepaliveAt: now, persistedAt: now });
    const facts = { transport, address: peer.address, port: peer.port, status: 'online' as const, register_call_id: callId, expires_s: expires, registered_at: now, last_keepalive_at: now };
    if (device) await this.devices.update(deviceId, facts);
    else {
      await this.devices.insert({
        id: deviceId, department_id: null, category: 'other', stream_mode: 'udp', name: null, charset, manufacturer: null, model: null, firmware: null,
        created_at: now, updated_at: now, ...facts,
      }, null);
    }
    await reply(200, 'OK', [...(contact ? [['contact', contact] as [string, string]] : []), ['expires', String(expires)], ['date', gbLocalTime()]]);
    if (!refresh) {
      this.log.info({ deviceId, address: peer.address, transport }, 'GB28181 device registered');
      this.hooks.online(deviceId);
    }
  }
}
