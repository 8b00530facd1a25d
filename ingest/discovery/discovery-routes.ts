import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { IdParams, responses } from '../../api/kernel/http/common-schemas.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CameraAdoption } from './camera-adoption.ts';
import type { CandidateRow, CandidateStore } from './candidate-store.ts';
import { confineTargets, parseTargets } from './discovery-targets.ts';
import { ScanLimiter } from './scan-limiter.ts';
import { probe } from './ws-discovery.ts';

const CandidateView = Type.Object({
  id: Type.String(), endpointRef: Type.String(), xaddr: Type.String(), name: Type.Union([Type.String(), Type.Null()]),
  hardware: Type.Union([Type.String(), Type.Null()]), locations: Type.Array(Type.String()), discoveredAt: Type.Integer(),
  lastSeenAt: Type.Integer(), adoptedCameraId: Type.Union([Type.String(), Type.Null()]),
});

const ScanBody = Type.Object({
  targets: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 256, default: [] }),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
  multicast: Type.Optional(Type.Boolean({ description: 'also probe 239.255.255.250:3702 (default true)' })),
}, { additionalProperties: false });

const AdoptBody = Type.Object({
  departmentId: Type.String({ minLength: 1, maxLength: 64 }),
  category: Type.Union(['public_security', 'traffic', 'community', 'other'].map((c) => Type.Literal(c))),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  lat: Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()])),
  lon: Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()])),
  address: Type.Optional(Type.Union([Type.String({ maxLength: 300 }), Type.Null()])),
  username: Type.String({ maxLength: 128 }),
  password: Type.String({ maxLength: 256 }),
  analyticsEnabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

const AdoptedView = Type.Object({
  cameraId: Type.String(), name: Type.String(), departmentId: Type.String(), category: Type.String(), ptz: Type.Boolean(),
  hasSubStream: Type.Boolean(), hasSnapshotUri: Type.Boolean(), manufacturer: Type.Union([Type.String(), Type.Null()]),
  model: Type.Union([Type.String(), Type.Null()]),
  /** The device was a camera already (same endpoint reference, or maker and serial): that camera, same id, was refreshed. */
  readopted: Type.Boolean(),
});

export function candidateView(row: CandidateRow): Static<typeof CandidateView> {
  return {
    id: row.id, endpointRef: row.endpoint_ref, xaddr: row.xaddr, name: row.name, hardware: row.hardware,
    locations: JSON.parse(row.location_scopes) as string[], discoveredAt: row.discovered_at, lastSeenAt: row.last_seen_at,
    adoptedCameraId: row.adopted_camera_id,
  };
}

/** WS-Discovery scan, the candidate list and adoption; admins and approvers only. */
export function registerDiscoveryRoutes(app: FastifyInstance, ctx: HubContext, candidates: CandidateStore, adoption: CameraAdoption): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const settings = ctx.config.ingest.discovery;
  const limiter = new ScanLimiter(settings);

  r.post('/discovery/scan', {
    config: { access: ['admin', 'approver'] },
    schema: {
      tags: ['discovery'], summary: 'Probe for ONVIF devices (multicast and unicast hosts, host:port or CIDR ranges); found devices become candidates',
      body: ScanBody,
      response: responses({ 200: Type.Object({ candidates: Type.Array(CandidateView), rejected: Type.Array(Type.Object({ from: Type.String(), reason: Type.String() })) }) }),
    },
  }, async (request, reply) => {
    const user = requireUser(request);
    const multicast = request.body.multicast ?? true;
    // Every scan is audited, refused ones too (issue 13 #7): who, what was asked, how many addresses, which networks.
    const audit = (result: 'ok' | 'denied', details: Record<string, unknown>, reason?: string) => ctx.audit.append({
      action: 'config.discovery.scan', result, reason, userId: user.id, username: user.username, departmentId: user.departmentId, clientIp: request.ip,
      details: { targets: request.body.targets.slice(0, 20), multicast, ...details },
    });
    let confined: Awaited<ReturnType<typeof confineTargets>>;
    let release: () => void;
    try {
      confined = await confineTargets(parseTargets(request.body.targets), settings.allowedNetworks, settings.maxTargets);
      release = limiter.begin(user.id);
    } catch (error) {
      // Targets refused (DomainError) and scans refused by the budget (HubError 429) alike.
      if (error instanceof HubError || error instanceof DomainError) {
        await audit('denied', {}, error.code);
        const retryAfter = error.details?.retryAfterSeconds;
        if (typeof retryAfter === 'number') reply.header('retry-after', retryAfter);
      }
      throw error;
    }
    try {
      const { targets, networks } = confined;
      const result = await probe({ targets, multicast, timeoutMs: request.body.timeoutMs ?? ctx.config.ingest.discoveryTimeoutMs, log: ctx.log });
      const rows = await candidates.upsert(result.devices);
      ctx.log.info({ found: rows.length, rejected: result.rejected.length, targets: targets.length }, 'discovery scan finished');
      await audit('ok', { targetCount: targets.length, networks, found: rows.length, rejected: result.rejected.length });
      return { candidates: rows.map(candidateView), rejected: result.rejected };
    } finally {
      release();
    }
  });

  r.get('/discovery/candidates', {
    config: { access: ['admin', 'approver'] },
    schema: { tags: ['discovery'], summary: 'Discovered devices, adopted or not', response: responses({ 200: Type.Array(CandidateView) }) },
  }, async () => (await candidates.list()).map(candidateView));

  r.post('/discovery/candidates/:id/adopt', {
    config: { access: ['admin', 'approver'] },
    schema: {
      tags: ['discovery'], summary: 'Adopt a discovered device as a camera (reads its profiles and stream URIs with the given credentials)',
      params: IdParams, body: AdoptBody, response: responses({ 201: AdoptedView }),
    },
  }, async (request, reply) => {
    const user = requireUser(request);
    const { camera, facts, readopted } = await adoption.adopt(request.params.id, request.body as Parameters<CameraAdoption['adopt']>[1], user, request.ip);
    reply.status(201);
    return {
      cameraId: camera.id, name: camera.name, departmentId: camera.department_id, category: camera.category, ptz: camera.ptz === 1,
      hasSubStream: camera.sub_stream_url !== null, hasSnapshotUri: camera.snapshot_url !== null, manufacturer: facts.info.manufacturer, model: facts.info.model, readopted,
    };
  });
}
