import { Type } from '@sinclair/typebox';
import { requireUser } from '../kernel/http/route-access.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubRoutes } from '../kernel/hub-feature.ts';
import { FindingView } from './checkpoint-schemas.ts';
import { passReaderQuery } from './pass-routes.ts';
import { visibleCameras } from './pass-visibility.ts';
import type { PassView } from './pass-record.ts';
import { normalisePlate } from '../../analytics/vocabulary/plate-text.ts';

/** Cloned-plate (套牌) findings; a finding is shown when the caller may see both passes' cameras. */
export function registerFindingRoutes(app: HubRoutes, ctx: HubContext): void {
  app.get('/checkpoint/findings', passReaderQuery(
    'Cloned-plate findings with both passes as evidence, newest first',
    Type.Object({
      plate: Type.Optional(Type.String({ minLength: 2, maxLength: 16 })),
      kind: Type.Optional(Type.Union([Type.Literal('impossible_speed'), Type.Literal('colour_mismatch')])),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })),
    }, { additionalProperties: false }),
    Type.Array(FindingView),
  ), async (request) => {
    const user = requireUser(request);
    const cameras = await visibleCameras(ctx, user);
    const visible = cameras.all ? undefined : new Set(cameras.cameraIds);
    let q = ctx.readDb.selectFrom('checkpoint_findings').selectAll();
    if (request.query.plate) q = q.where('plate', '=', normalisePlate(request.query.plate) ?? request.query.plate);
    if (request.query.kind) q = q.where('kind', '=', request.query.kind);
    const rows = await q.orderBy('detected_at', 'desc').limit(request.query.limit ?? 100).execute();
    return rows
      .map((f) => ({ f, evidence: JSON.parse(f.evidence) as { a: PassView; b: PassView } }))
      .filter(({ evidence }) => !visible || (visible.has(evidence.a.cameraId) && visible.has(evidence.b.cameraId)))
      .map(({ f, evidence }) => ({
        id: f.id, kind: f.kind, plate: f.plate, passAId: f.pass_a_id, passBId: f.pass_b_id, evidence,
        distanceKm: f.distance_km, speedKmh: f.speed_kmh, detectedAt: Number(f.detected_at),
      }));
  });
}
