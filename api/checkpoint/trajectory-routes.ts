import { Type } from '@sinclair/typebox';
import { requireUser } from '../kernel/http/route-access.ts';
import { badRequest } from '../kernel/errors/hub-error.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubRoutes } from '../kernel/hub-feature.ts';
import { passReaderQuery } from './pass-routes.ts';
import { visibleCameras } from './pass-visibility.ts';
import { loadTrajectory } from './trajectory-query.ts';
import { normalisePlate } from '../../analytics/vocabulary/plate-text.ts';

const MAX_POINTS = 10_000;

const Geometry = Type.Union([Type.Null(), Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) })]);
const Feature = Type.Object({ type: Type.Literal('Feature'), geometry: Geometry, properties: Type.Object({}, { additionalProperties: true }) });

/** The passes of one plate in time order, with camera locations, as GeoJSON (points plus the path as a line). */
export function registerTrajectoryRoutes(app: HubRoutes, ctx: HubContext): void {
  app.get('/checkpoint/trajectory', passReaderQuery(
    'Trajectory of a plate as a GeoJSON FeatureCollection',
    Type.Object({
      plate: Type.String({ minLength: 2, maxLength: 16 }),
      from: Type.Optional(Type.Integer({ minimum: 0 })),
      to: Type.Optional(Type.Integer({ minimum: 0 })),
    }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('FeatureCollection'), features: Type.Array(Feature), truncated: Type.Boolean() }),
  ), async (request) => {
    const plate = normalisePlate(request.query.plate);
    if (!plate) throw badRequest('PLATE_INVALID', 'plate must be 2–10 letters, digits or Chinese characters');
    const cameras = await visibleCameras(ctx, requireUser(request));
    const rows = await loadTrajectory(ctx.readDb, ctx.cameras, cameras, plate, MAX_POINTS + 1, request.query.from, request.query.to);
    const truncated = rows.length > MAX_POINTS;
    const points = rows.slice(0, MAX_POINTS).map((row, sequence) => ({
      type: 'Feature' as const,
      geometry: row.lat === null || row.lon === null ? null : { type: 'Point', coordinates: [row.lon, row.lat] },
      properties: {
        sequence, passId: row.id, cameraId: row.camera_id, cameraName: row.camera_name, passedAt: Number(row.passed_at),
        plateColour: row.plate_colour, lane: row.lane, direction: row.direction,
      },
    }));
    const path = points.flatMap((p) => (p.geometry ? [p.geometry.coordinates] : []));
    const line = path.length >= 2 ? [{ type: 'Feature' as const, geometry: { type: 'LineString', coordinates: path }, properties: { plate, kind: 'path' } }] : [];
    return { type: 'FeatureCollection' as const, features: [...points, ...line], truncated };
  });
}
