import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { badRequest } from '../../api/kernel/errors/hub-error.ts';
import { responses } from '../../api/kernel/http/common-schemas.ts';
import type { CameraCategory, CameraStatus } from '../../api/kernel/db/tables/index.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import { CameraView, cameraViews } from './camera-views.ts';

const Category = Type.Union(['public_security', 'traffic', 'community', 'other'].map((c) => Type.Literal(c)));
const Status = Type.Union(['unknown', 'online', 'offline', 'auth_failed'].map((s) => Type.Literal(s)));
/** The map asks for every camera of its view at once; the list pages by 50. */
export const MAX_PAGE = 5_000;

const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  departmentId: Type.Optional(Type.String({ maxLength: 64 })),
  category: Type.Optional(Category),
  status: Type.Optional(Status),
  minLat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })), maxLat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  minLon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })), maxLon: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 50 }),
}, { additionalProperties: false });

const SearchPage = Type.Object({ total: Type.Integer(), offset: Type.Integer(), limit: Type.Integer(), items: Type.Array(CameraView) });

type Box = { minLat: number; minLon: number; maxLat: number; maxLon: number };

/** The four corners together or none; a box whose minimum lies past its maximum is refused. */
function boxOf(query: Partial<Box>): Box | undefined {
  const given = (['minLat', 'minLon', 'maxLat', 'maxLon'] as const).filter((key) => query[key] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length !== 4) throw badRequest('CAMERA_SEARCH_BOX_INVALID', 'an area needs all of minLat, minLon, maxLat and maxLon');
  const box = query as Box;
  if (box.minLat > box.maxLat || box.minLon > box.maxLon) throw badRequest('CAMERA_SEARCH_BOX_INVALID', 'an area needs minLat ≤ maxLat and minLon ≤ maxLon');
  return box;
}

/**
 * GET /cameras/search: the catalogue for thousands of cameras, searched, filtered and paged in the database
 * (GET /cameras keeps answering the whole list as an array for its earlier callers).
 */
export function registerCatalogueRoutes(app: FastifyInstance, ctx: HubContext): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/cameras/search', {
    config: { access: 'user' },
    schema: {
      tags: ['cameras'], summary: 'Search the camera catalogue: words in name, address or national code; department, category, status, area; paged, by name',
      querystring: SearchQuery, response: responses({ 200: SearchPage }),
    },
  }, async (request) => {
    const user = requireUser(request);
    const { q, departmentId, category, status, offset, limit, ...corners } = request.query;
    const { rows, total } = await ctx.cameras.search({
      text: q, departmentId, category: category as CameraCategory | undefined, status: status as CameraStatus | undefined,
      box: boxOf(corners), offset, limit,
    });
    return { total, offset, limit, items: await cameraViews(ctx, user, rows) };
  });
}
