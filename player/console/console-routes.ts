import { Type } from '@sinclair/typebox';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { IdParams, OkResponse, responses } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { HubRoutes } from '../../api/kernel/hub-feature.ts';
import { consoleCounts } from './console-counts.ts';
import { WALL_SIZES, WallLayoutRepository } from './wall-layout-repository.ts';

const CameraId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

const WallLayoutView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  size: Type.Integer(),
  cameraIds: Type.Array(Type.String()),
  createdAt: Type.Integer(),
  updatedAt: Type.Integer(),
});

const WallLayoutBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 60 }),
  size: Type.Union(WALL_SIZES.map((n) => Type.Literal(n))),
  cameraIds: Type.Array(CameraId, { maxItems: 16 }),
}, { additionalProperties: false });

const CountsView = Type.Object({
  pendingRequests: Type.Union([Type.Integer(), Type.Null()]),
  unacknowledgedAlerts: Type.Union([Type.Integer(), Type.Null()]),
  unreadNotifications: Type.Integer(),
});

/**
 * The console's own data: the counts behind the menu badges, and each user's saved video-wall layouts
 * (only ever the caller's own: another user's layout id answers 404 like one that does not exist).
 */
export function registerConsoleRoutes(app: HubRoutes, ctx: HubContext): void {
  const layouts = new WallLayoutRepository(ctx.db, ctx.config.wall.maxLayoutsPerUser);
  const tags = ['console'];

  app.get('/console/counts', {
    config: { access: 'user' },
    schema: { tags, summary: 'Counts for the menu badges: waiting requests, unacknowledged alerts, unread notifications', response: responses({ 200: CountsView }) },
  }, async (request) => consoleCounts(ctx.db, requireUser(request)));

  app.get('/console/wall-layouts', {
    config: { access: 'user' },
    schema: {
      tags, summary: 'My saved wall layouts, by name, with the limits the wall page applies',
      response: responses({ 200: Type.Object({ layouts: Type.Array(WallLayoutView), maxLayouts: Type.Integer(), tourMinSeconds: Type.Integer() }) }),
    },
  }, async (request) => ({
    layouts: await layouts.list(requireUser(request).id), maxLayouts: ctx.config.wall.maxLayoutsPerUser, tourMinSeconds: ctx.config.wall.tourMinSeconds,
  }));

  app.post('/console/wall-layouts', {
    config: { access: 'user' },
    schema: { tags, summary: 'Save a wall layout under a name (replaces my layout of the same name)', body: WallLayoutBody, response: responses({ 200: WallLayoutView, 201: WallLayoutView }) },
  }, async (request, reply) => {
    const { layout, created } = await layouts.save(requireUser(request).id, request.body);
    reply.status(created ? 201 : 200);
    return layout;
  });

  app.delete('/console/wall-layouts/:id', {
    config: { access: 'user' },
    schema: { tags, summary: 'Delete one of my saved wall layouts', params: IdParams, response: responses({ 200: OkResponse }) },
  }, async (request) => {
    await layouts.delete(requireUser(request).id, request.params.id);
    return { ok: true };
  });
}
