import { Type } from '@sinclair/typebox';
import { requireUser } from '../kernel/http/route-access.ts';
import { conflict, forbidden, notFound } from '../kernel/errors/hub-error.ts';
import { responses } from '../kernel/http/common-schemas.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubRoutes } from '../kernel/hub-feature.ts';
import type { AlertStream } from './alert-stream.ts';
import { AlertView, UuidParams } from './checkpoint-schemas.ts';

function alertQuery(ctx: HubContext) {
  return ctx.db.selectFrom('checkpoint_alerts as a').innerJoin('checkpoint_watchlist as w', 'w.id', 'a.watchlist_id').select([
    'a.id', 'a.watchlist_id as watchlistId', 'w.owner_department_id as ownerDepartmentId', 'w.reason', 'a.pass_id as passId', 'a.plate', 'a.camera_id as cameraId', 'a.passed_at as passedAt',
    'a.raised_at as raisedAt', 'a.acknowledged_at as acknowledgedAt', 'a.acknowledged_by as acknowledgedBy', 'a.ack_note as ackNote',
  ]);
}

/**
 * Alerts belong to the watchlist's department (security #1): listed and streamed to its users (and admins),
 * acknowledged only by its users, never deleted by them. Whoever owns or sees the camera learns nothing of
 * another department's watchlist. The matcher raises an alert only on cameras the owner may see; once
 * raised it stays the department's record even if that grant later ends.
 */
export function registerAlertRoutes(app: HubRoutes, ctx: HubContext, stream: AlertStream): void {
  // SSE responses keep their sockets busy: end them before the server waits for in-flight requests.
  app.addHook('preClose', async () => stream.closeAll());

  app.get('/checkpoint/alerts/stream', {
    config: { access: ['viewer'], rawResponse: true, eventStream: true },
    schema: { tags: ['checkpoint'], summary: 'Watchlist alerts as Server-Sent Events (event: alert)' },
  }, async (request, reply) => {
    stream.open(request, reply, requireUser(request));
  });

  app.get('/checkpoint/alerts', {
    config: { access: ['viewer'] },
    schema: {
      tags: ['checkpoint'], summary: "Your department's watchlist alerts (admin: all), newest first",
      querystring: Type.Object({
        unacknowledged: Type.Optional(Type.Boolean()),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000, default: 100 })),
      }, { additionalProperties: false }),
      response: responses({ 200: Type.Array(AlertView) }),
    },
  }, async (request) => {
    const user = requireUser(request);
    let q = alertQuery(ctx);
    if (user.role !== 'admin') q = q.where('w.owner_department_id', '=', user.departmentId);
    if (request.query.unacknowledged) q = q.where('a.acknowledged_at', 'is', null);
    return q.orderBy('a.raised_at', 'desc').limit(request.query.limit ?? 100).execute();
  });

  app.post('/checkpoint/alerts/:id/ack', {
    config: { access: ['viewer'] },
    schema: {
      tags: ['checkpoint'], summary: 'Acknowledge an alert (kept, with who and when)', params: UuidParams,
      body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 1_000 })) }, { additionalProperties: false }),
      response: responses({ 200: AlertView }),
    },
  }, async (request) => {
    const user = requireUser(request);
    const alert = await alertQuery(ctx).where('a.id', '=', request.params.id).executeTakeFirst();
    if (!alert) throw notFound('ALERT_NOT_FOUND', `alert ${request.params.id} does not exist`);
    if (alert.ownerDepartmentId !== user.departmentId) throw forbidden('ALERT_NOT_YOURS', "only the watchlist's department acknowledges its alerts");
    const now = Date.now();
    const updated = await ctx.db.updateTable('checkpoint_alerts').set({ acknowledged_at: now, acknowledged_by: user.id, ack_note: request.body.note ?? null })
      .where('id', '=', alert.id).where('acknowledged_at', 'is', null).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw conflict('ALERT_ALREADY_ACKNOWLEDGED', 'this alert was acknowledged already');
    await ctx.audit.append({
      action: 'checkpoint.alert.ack', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'checkpoint_alert',
      targetId: alert.id, clientIp: request.ip, details: { plate: alert.plate, note: request.body.note ?? null },
    });
    return { ...alert, acknowledgedAt: now, acknowledgedBy: user.id, ackNote: request.body.note ?? null };
  });
}
