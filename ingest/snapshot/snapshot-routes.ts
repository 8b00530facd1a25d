import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess } from '../../api/access/camera-access.ts';
import { requireUser } from '../../api/kernel/http/route-access.ts';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import { IdParams } from '../../api/kernel/http/common-schemas.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { SnapshotService } from './snapshot-service.ts';

/** GET /cameras/:id/snapshot: a JPEG for users with the snapshot scope on that camera; audited. */
export function registerSnapshotRoutes(app: FastifyInstance, ctx: HubContext, snapshots: SnapshotService): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/cameras/:id/snapshot', {
    config: { access: 'user', rawResponse: true, auditsCameraDenials: true },
    schema: {
      tags: ['cameras'], summary: 'A current still of the camera as JPEG, resized to `width` (never enlarged)', params: IdParams,
      querystring: Type.Object({ width: Type.Integer({ minimum: 32, maximum: 3840, default: 640 }) }, { additionalProperties: false }),
    },
  }, async (request, reply) => {
    const user = requireUser(request);
    const cameraId = request.params.id;
    const audit = (result: 'ok' | 'denied' | 'failed', details: Record<string, unknown>, reason?: string) => ctx.audit.append({
      action: 'snapshot', result, reason, userId: user.id, username: user.username, departmentId: user.departmentId,
      targetType: 'camera', targetId: cameraId, clientIp: request.ip, details,
    });
    let decision;
    try {
      decision = await assertCameraAccess(ctx, user, cameraId, 'snapshot');
    } catch (error) {
      if (error instanceof HubError && error.status === 403) await audit('denied', {}, error.code);
      throw error;
    }
    try {
      const snapshot = await snapshots.take(cameraId, request.query.width, user.id);
      await audit('ok', { width: request.query.width, source: snapshot.source, bytes: snapshot.jpeg.length, access: decision.reason, grantId: decision.grantId ?? null });
      return reply.type('image/jpeg').header('cache-control', 'no-store').send(snapshot.jpeg);
    } catch (error) {
      await audit('failed', { width: request.query.width }, error instanceof DomainError ? error.code : 'ERROR');
      // A grab takes a second or two: the caller may try again then (issue 13 #4).
      if (error instanceof DomainError && error.code === 'SNAPSHOT_BUSY') reply.header('retry-after', 1);
      throw error;
    }
  });
}
