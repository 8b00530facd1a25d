import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess } from '../../api/access/camera-access.ts';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { badRequest, forbidden, notFound } from '../../api/kernel/errors/hub-error.ts';
import { IdParams, Millis, responses } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CrowdStore } from './crowd-store.ts';
import { WHOLE_FRAME_ZONE, type CrowdZone } from './crowd-zone.ts';

const Unit = Type.Number({ minimum: 0, maximum: 1 });
const ZoneSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  polygon: Type.Array(Type.Object({ x: Unit, y: Unit }, { additionalProperties: false }), { minItems: 3, maxItems: 64 }),
  threshold: Type.Integer({ minimum: 0, maximum: 100_000 }),
  durationSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
  areaSquareMetres: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 10_000_000, description: 'real ground area of the zone (calibration), for people-per-m² alerts' }), Type.Null()])),
  densityThreshold: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 20, description: 'alert when people per m² stays above this (needs areaSquareMetres)' }), Type.Null()])),
}, { additionalProperties: false });
const ZonesBody = Type.Object({ zones: Type.Array(ZoneSchema, { maxItems: 32 }) }, { additionalProperties: false });

const MAX_SAMPLES = 10_000;
const CrowdQuery = Type.Object({
  from: Type.Optional(Millis), to: Type.Optional(Millis),
}, { additionalProperties: false });
const CrowdResponse = Type.Object({
  cameraId: Type.String(), from: Type.Integer(), to: Type.Integer(), truncated: Type.Boolean(),
  samples: Type.Array(Type.Object({ zoneId: Type.String(), at: Type.Integer(), count: Type.Integer() })),
  alerts: Type.Array(Type.Object({
    id: Type.String(), zoneId: Type.String(), startedAt: Type.Integer(), raisedAt: Type.Integer(),
    endedAt: Type.Union([Type.Integer(), Type.Null()]), threshold: Type.Integer(), peakCount: Type.Integer(),
    trigger: Type.Union([Type.Literal('count'), Type.Literal('density'), Type.Null()]),
  })),
});

/** Crowd zones (PUT/GET) and the crowd time series with alerts (GET) of one camera. */
export function registerCrowdRoutes(app: FastifyInstance, ctx: HubContext, store: CrowdStore, onZonesChanged: (cameraId: string, zones: CrowdZone[]) => void): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.put('/analytics/cameras/:id/zones', {
    config: { access: ['admin', 'approver'] },
    schema: {
      tags: ['analytics'], summary: 'Replace the crowd-counting zones of a camera (admin, or an approver of the owning department)',
      params: IdParams, body: ZonesBody, response: responses({ 200: ZonesBody }),
    },
  }, async (request) => {
    const user = requireUser(request);
    const cameraId = request.params.id;
    const camera = await ctx.cameras.facts(cameraId);
    if (!camera) throw notFound('CAMERA_NOT_FOUND', `camera ${cameraId} does not exist`);
    if (user.role !== 'admin' && user.departmentId !== camera.department_id) {
      throw forbidden('ZONES_MANAGE_DENIED', 'only administrators and approvers of the owning department set a camera\'s zones');
    }
    const zones = request.body.zones;
    const ids = new Set<string>();
    for (const zone of zones) {
      if (zone.id === WHOLE_FRAME_ZONE) throw badRequest('ZONE_ID_RESERVED', `zone id ${WHOLE_FRAME_ZONE} is reserved for the whole picture`);
      if (ids.has(zone.id)) throw badRequest('ZONE_ID_DUPLICATE', `zone id ${zone.id} appears twice`);
      if (zone.densityThreshold != null && zone.areaSquareMetres == null) {
        throw badRequest('ZONE_AREA_REQUIRED', `zone ${zone.id} sets a density threshold (people per m²) but no areaSquareMetres to divide by`);
      }
      ids.add(zone.id);
    }
    await store.replaceZones(cameraId, zones);
    await ctx.audit.append({
      action: 'analytics.zones.set', userId: user.id, username: user.username, departmentId: user.departmentId,
      targetType: 'camera', targetId: cameraId, clientIp: request.ip, details: { zones: zones.map((z) => ({ id: z.id, threshold: z.threshold, durationSeconds: z.durationSeconds })) },
    });
    onZonesChanged(cameraId, zones);
    return { zones };
  });

  r.get('/analytics/cameras/:id/zones', {
    config: { access: ['admin', 'approver', 'viewer'] },
    schema: { tags: ['analytics'], summary: 'The crowd-counting zones of a camera', params: IdParams, response: responses({ 200: ZonesBody }) },
  }, async (request) => {
    await assertCameraAccess(ctx, requireUser(request), request.params.id, 'events');
    return { zones: await store.zonesOf(request.params.id) };
  });

  r.get('/analytics/cameras/:id/crowd', {
    config: { access: ['admin', 'approver', 'viewer'] },
    schema: {
      tags: ['analytics'], summary: `Person counts per zone over time (zone ${WHOLE_FRAME_ZONE} = whole picture) and crowd alerts; default the last hour`,
      params: IdParams, querystring: CrowdQuery, response: responses({ 200: CrowdResponse }),
    },
  }, async (request) => {
    const cameraId = request.params.id;
    await assertCameraAccess(ctx, requireUser(request), cameraId, 'events');
    const to = request.query.to ?? Date.now() + 1;
    const from = request.query.from ?? to - 3_600_000;
    if (from >= to) throw badRequest('CROWD_RANGE_INVALID', '"from" must be before "to"');
    const [rows, alerts] = await Promise.all([store.series(cameraId, from, to, MAX_SAMPLES + 1), store.alerts(cameraId, from, to, 1_000)]);
    return {
      cameraId, from, to, truncated: rows.length > MAX_SAMPLES,
      samples: rows.slice(0, MAX_SAMPLES).map((row) => ({ zoneId: row.zone_id, at: row.at, count: row.count })),
      alerts: alerts.map((a) => ({
        id: a.id, zoneId: a.zone_id, startedAt: a.started_at, raisedAt: a.raised_at, endedAt: a.ended_at, threshold: a.threshold, peakCount: a.peak_count, trigger: a.trigger as 'count' | 'density' | null,
      })),
    };
  });
}
