import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HubContext } from '../hub/hub-context.ts';
import { parseDigestHeader, type DigestAuth } from './digest-auth.ts';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { viidServerId } from './objects/viid-ids.ts';
import { viidTime } from './objects/viid-time.ts';
import type { PeerRepository } from './peer-repository.ts';
import type { PeerSessions } from './peer-sessions.ts';
import type { ViidMetrics } from './viid-metrics.ts';
import { ResponseStatusObjectSchema, responseStatus, STATUS, statusObject, ViidError, viidForbidden, viidUnauthorized } from './viid-status.ts';

const Open = { additionalProperties: true };
const IdObject = Type.Object({ DeviceID: Type.Optional(Type.String({ maxLength: 64 })) }, Open);
/** `{"RegisterObject":{"DeviceID"}}`, or the bare `{"DeviceID"}` fliad sends; the same for UnRegister and Keepalive. */
const systemBody = (wrapper: string) => Type.Optional(Type.Object({ [wrapper]: Type.Optional(IdObject), DeviceID: Type.Optional(Type.String({ maxLength: 64 })) }, Open));

const SystemTime = Type.Object({
  SystemTimeObject: Type.Object({ VIIDServerID: Type.String(), TimeMode: Type.String(), LocalTime: Type.String(), TimeZone: Type.String() }),
});

function deviceIdOf(body: unknown, wrapper: string): string | undefined {
  const object = body as Record<string, { DeviceID?: string } | string | undefined> | undefined;
  const inner = object?.[wrapper];
  return (typeof inner === 'object' ? inner?.DeviceID : undefined) ?? (typeof object?.DeviceID === 'string' ? object.DeviceID : undefined);
}

const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

/**
 * /VIID/System: Register (HTTP Digest), UnRegister, Keepalive and Time. Registration and its end are
 * audited with the peer, its department and the address it came from.
 */
export function registerSystemRoutes(scope: FastifyInstance, ctx: HubContext, peers: PeerRepository, sessions: PeerSessions, digest: DigestAuth, metrics: ViidMetrics): void {
  const replies = { 200: ResponseStatusObjectSchema, '4xx': ResponseStatusObjectSchema };
  // Password guessing through digest answers is slowed like logins (same counters and settings, own instance).
  const { auth } = ctx.config;
  const throttle = new LoginThrottle({
    freeFailures: auth.loginMaxFailures, backoffMs: auth.loginBackoffSeconds * 1000,
    maxDelayMs: auth.loginLockSeconds * 1000, windowMs: auth.loginFailureWindowSeconds * 1000,
  });

  scope.post('/System/Register', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'GA/T 1400 registration (HTTP Digest)', body: systemBody('RegisterObject'), response: replies },
  }, async (request, reply) => {
    const account = parseDigestHeader(request.headers.authorization)?.username?.slice(0, 64);
    const wait = account ? throttle.retryAfter(account, request.ip) : 0;
    if (wait > 0) {
      metrics.registrations.refused++;
      reply.header('retry-after', Math.ceil(wait / 1000));
      throw new ViidError('VIID_REGISTER_THROTTLED', `too many failed registrations; try again in ${Math.ceil(wait / 1000)} s`, 429, STATUS.deviceBusy, { challenge: digest.challenge() });
    }
    const attempt = account ? throttle.begin(account, request.ip) : undefined;
    let peerId: string;
    try {
      peerId = await digest.verify({ method: request.method, url: request.url, authorization: request.headers.authorization }, (id) => peers.passwordOf(id));
    } catch (error) {
      if ((error as { code?: string }).code === 'VIID_DIGEST_REQUIRED') metrics.registrations.challenged++;
      else metrics.registrations.refused++;
      throw error;
    }
    const claimed = deviceIdOf(request.body, 'RegisterObject');
    if (claimed !== undefined && claimed !== peerId) throw viidForbidden('VIID_REGISTER_ID_MISMATCH', 'DeviceID differs from the digest username');
    const peer = await peers.find(peerId);
    if (!peer || peer.disabled) throw viidUnauthorized('VIID_DIGEST_WRONG', 'unknown ID or wrong password', digest.challenge());
    if (attempt) throttle.succeeded(attempt);
    await sessions.open(peer, request.ip);
    metrics.registrations.ok++;
    await ctx.audit.append({
      action: 'viid.register', targetType: 'viid_peer', targetId: peer.id, departmentId: peer.department_id, clientIp: request.ip,
      details: { kind: peer.kind, name: peer.name, devices: peer.devices.length },
    });
    return statusObject(responseStatus(pathOf(request), STATUS.ok, 'OK', peer.id));
  });

  scope.post('/System/UnRegister', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'GA/T 1400 unregistration', body: systemBody('UnRegisterObject'), response: replies },
  }, async (request) => {
    const session = sessions.identify(request);
    const claimed = deviceIdOf(request.body, 'UnRegisterObject');
    if (claimed !== undefined && claimed !== session.peerId) throw viidForbidden('VIID_IDENTIFY_MISMATCH', 'DeviceID differs from User-Identify');
    await sessions.close(session.peerId, 'unregistered');
    await ctx.audit.append({
      action: 'viid.unregister', targetType: 'viid_peer', targetId: session.peerId, departmentId: session.departmentId, clientIp: request.ip,
      details: { kind: session.kind, registeredAt: session.registeredAt },
    });
    return statusObject(responseStatus(pathOf(request), STATUS.ok, 'OK', session.peerId));
  });

  scope.post('/System/Keepalive', {
    config: { access: 'public', rateLimit: false },
    schema: { tags: ['viid'], summary: 'GA/T 1400 keepalive', body: systemBody('KeepaliveObject'), response: replies },
  }, async (request) => {
    const session = sessions.identify(request);
    const claimed = deviceIdOf(request.body, 'KeepaliveObject');
    if (claimed !== undefined && claimed !== session.peerId) throw viidForbidden('VIID_IDENTIFY_MISMATCH', 'DeviceID differs from User-Identify');
    await peers.seen(session.peerId, Date.now());
    return statusObject(responseStatus(pathOf(request), STATUS.ok, 'OK', session.peerId));
  });

  scope.get('/System/Time', {
    config: { access: 'public' },
    schema: { tags: ['viid'], summary: 'GA/T 1400 server time (China time)', response: { 200: SystemTime } },
  }, async () => ({
    SystemTimeObject: { VIIDServerID: viidServerId(ctx.config.viid), TimeMode: '2', LocalTime: viidTime(Date.now()), TimeZone: 'Asia/Shanghai' },
  }));
}
