import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess } from '../../api/access/camera-access.ts';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { IdParams } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { ThumbnailCache } from './thumbnail-cache.ts';

/**
 * GET /cameras/:id/thumbnail: the catalogue's small still, from the disk cache while fresh. The snapshot
 * access check runs on every request, cached or not, so a thumbnail is never shown to someone who may not
 * take a snapshot of the camera (refusals are audited by the camera denial audit). A new still is audited
 * as a snapshot; a cached one is not (the still was audited when it was taken).
 */
export function registerThumbnailRoutes(app: FastifyInstance, ctx: HubContext, thumbnails: ThumbnailCache): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/cameras/:id/thumbnail', {
    config: { access: 'user', rawResponse: true },
    schema: { tags: ['cameras'], summary: 'A small still of the camera for the catalogue (cached on disk for ingest.snapshot.thumbnailTtlSeconds)', params: IdParams },
  }, async (request, reply) => {
    const user = requireUser(request);
    const cameraId = request.params.id;
    const decision = await assertCameraAccess(ctx, user, cameraId, 'snapshot');
    try {
      const thumbnail = await thumbnails.get(cameraId, user.id);
      if (thumbnail.fresh) {
        await ctx.audit.append({
          action: 'snapshot', result: 'ok', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: cameraId,
          clientIp: request.ip, details: { thumbnail: true, bytes: thumbnail.jpeg.length, access: decision.reason, grantId: decision.grantId ?? null },
        });
      }
      return reply.type('image/jpeg').header('cache-control', 'private, no-store').header('x-taken-at', String(thumbnail.takenAt)).send(thumbnail.jpeg);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'SNAPSHOT_BUSY') reply.header('retry-after', 1);
      throw error;
    }
  });
}
