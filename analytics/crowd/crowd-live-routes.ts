import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess } from '../../api/access/camera-access.ts';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { notFound } from '../../api/kernel/errors/hub-error.ts';
import { IdParams, responses } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { CrowdCounts } from './crowd-counter.ts';
import type { DensityMap } from './density-map.ts';
import { densityHeatMapPng } from './heat-map.ts';

/** What the running pipelines know of a camera's crowd right now. */
export interface LatestCrowd {
  at: number;
  counts: CrowdCounts;
  density?: { map: DensityMap; at: number };
}

const Counts = Type.Record(Type.String(), Type.Number());
const LatestResponse = Type.Object({
  cameraId: Type.String(),
  at: Type.Integer({ description: 'time of the frame counted' }),
  fused: Counts, detector: Counts, density: Type.Union([Counts, Type.Null()]),
  densityAt: Type.Union([Type.Integer(), Type.Null()]),
  heatMap: Type.Union([Type.Object({ width: Type.Integer(), height: Type.Integer() }), Type.Null()], { description: 'cells of the density map; the PNG has one pixel per cell and covers the whole picture' }),
});

const round = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Math.round(v * 10) / 10]));

/** The live crowd figures and the density heat map of a camera (same access as its crowd series: the events scope). */
export function registerCrowdLiveRoutes(app: FastifyInstance, ctx: HubContext, latest: (cameraId: string) => LatestCrowd | undefined): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const current = (cameraId: string): LatestCrowd => {
    const crowd = latest(cameraId);
    if (!crowd) throw notFound('CROWD_NOT_COUNTED', `camera ${cameraId} has no crowd count yet: analytics is off for it, or no frame was analysed`);
    return crowd;
  };

  r.get('/analytics/cameras/:id/crowd/latest', {
    config: { access: ['admin', 'approver', 'viewer'] },
    schema: { tags: ['analytics'], summary: 'The latest crowd count of a camera per zone: fused, detector and density counts', params: IdParams, response: responses({ 200: LatestResponse }) },
  }, async (request) => {
    await assertCameraAccess(ctx, requireUser(request), request.params.id, 'events');
    const crowd = current(request.params.id);
    return {
      cameraId: request.params.id, at: crowd.at, fused: round(crowd.counts.fused), detector: crowd.counts.detector,
      density: crowd.counts.density ? round(crowd.counts.density) : null, densityAt: crowd.density?.at ?? null,
      heatMap: crowd.density ? { width: crowd.density.map.width, height: crowd.density.map.height } : null,
    };
  });

  r.get('/analytics/cameras/:id/crowd/heatmap.png', {
    config: { access: ['admin', 'approver', 'viewer'], rawResponse: true },
    schema: { tags: ['analytics'], summary: 'The latest crowd density of a camera as a transparent PNG heat map over its picture', params: IdParams },
  }, async (request, reply) => {
    await assertCameraAccess(ctx, requireUser(request), request.params.id, 'events');
    const crowd = current(request.params.id);
    if (!crowd.density) throw notFound('CROWD_NO_DENSITY', `camera ${request.params.id} has no density map: it has no crowd zones, or analytics.crowd.density is off`);
    return reply.type('image/png').header('cache-control', 'no-store').send(await densityHeatMapPng(crowd.density.map));
  });
}
