import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Selectable } from 'kysely';
import { requireUser } from '../kernel/http/route-access.ts';
import { badRequest, forbidden, notFound } from '../kernel/errors/hub-error.ts';
import { responses } from '../kernel/http/common-schemas.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { CheckpointWatchlistTable } from '../kernel/db/tables/checkpoint.ts';
import { UuidParams, WatchlistView } from './checkpoint-schemas.ts';
import { normalisePattern, normalisePlate } from '../../analytics/vocabulary/plate-text.ts';
import type { WatchlistMatcher } from './watchlist-matcher.ts';

const toView = (w: Selectable<CheckpointWatchlistTable>) => ({
  id: w.id, plate: w.plate_pattern, matchKind: w.match_kind, reason: w.reason, ownerUserId: w.owner_user_id,
  ownerDepartmentId: w.owner_department_id, validFrom: Number(w.valid_from), validUntil: Number(w.valid_until),
  createdAt: Number(w.created_at), removedAt: w.removed_at === null ? null : Number(w.removed_at),
});

/** Watchlists (布控): approvers put plates or patterns on them for a stated reason and period; removal keeps the row. */
export function registerWatchlistRoutes(app: FastifyInstance, ctx: HubContext, matcher: WatchlistMatcher): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/checkpoint/watchlist', {
    config: { access: ['viewer'] },
    schema: {
      tags: ['checkpoint'], summary: "Your department's watchlist entries (admin: all)",
      querystring: Type.Object({ includeRemoved: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: responses({ 200: Type.Array(WatchlistView) }),
    },
  }, async (request) => {
    const user = requireUser(request);
    let q = ctx.db.selectFrom('checkpoint_watchlist').selectAll();
    if (user.role !== 'admin') q = q.where('owner_department_id', '=', user.departmentId);
    if (!request.query.includeRemoved) q = q.where('removed_at', 'is', null);
    return (await q.orderBy('created_at', 'desc').limit(5_000).execute()).map(toView);
  });

  r.post('/checkpoint/watchlist', {
    config: { access: ['approver'] },
    schema: {
      tags: ['checkpoint'], summary: 'Put a plate (exact) or pattern (* and ?) on the watchlist',
      body: Type.Object({
        plate: Type.String({ minLength: 1, maxLength: 16 }),
        matchKind: Type.Union([Type.Literal('exact'), Type.Literal('pattern')]),
        reason: Type.String({ minLength: 3, maxLength: 500 }),
        validFrom: Type.Optional(Type.Integer({ minimum: 0 })),
        validUntil: Type.Integer({ minimum: 0 }),
      }, { additionalProperties: false }),
      response: responses({ 201: WatchlistView }),
    },
  }, async (request, reply) => {
    const user = requireUser(request);
    const body = request.body;
    const plate = body.matchKind === 'exact' ? normalisePlate(body.plate) : normalisePattern(body.plate);
    if (!plate) throw badRequest('WATCHLIST_PLATE_INVALID', body.matchKind === 'exact' ? 'plate must be 2–10 letters, digits or Chinese characters' : 'pattern holds letters, digits, Chinese characters, * and ?');
    const now = Date.now();
    const validFrom = body.validFrom ?? now;
    if (body.validUntil <= validFrom) throw badRequest('WATCHLIST_PERIOD_INVALID', 'validUntil must be after validFrom');
    const row: Selectable<CheckpointWatchlistTable> = {
      id: randomUUID(), plate_pattern: plate, match_kind: body.matchKind, reason: body.reason, owner_user_id: user.id,
      owner_department_id: user.departmentId, valid_from: validFrom, valid_until: body.validUntil, created_at: now, removed_at: null, removed_by: null,
    };
    await ctx.db.insertInto('checkpoint_watchlist').values(row).execute();
    matcher.invalidate();
    await ctx.audit.append({
      action: 'watchlist.create', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'watchlist',
      targetId: row.id, reason: body.reason, clientIp: request.ip, details: { plate, matchKind: body.matchKind, validFrom, validUntil: body.validUntil },
    });
    reply.status(201);
    return toView(row);
  });

  r.delete('/checkpoint/watchlist/:id', {
    config: { access: ['approver'] },
    schema: { tags: ['checkpoint'], summary: 'Take an entry off the watchlist (kept as history)', params: UuidParams, response: responses({ 200: WatchlistView }) },
  }, async (request) => {
    const user = requireUser(request);
    const entry = await ctx.db.selectFrom('checkpoint_watchlist').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!entry || entry.removed_at !== null) throw notFound('WATCHLIST_ENTRY_NOT_FOUND', `watchlist entry ${request.params.id} does not exist or was removed`);
    if (user.role !== 'admin' && entry.owner_department_id !== user.departmentId) throw forbidden('WATCHLIST_NOT_YOURS', "only the owning department removes a watchlist entry");
    const now = Date.now();
    await ctx.db.updateTable('checkpoint_watchlist').set({ removed_at: now, removed_by: user.id }).where('id', '=', entry.id).execute();
    matcher.invalidate();
    await ctx.audit.append({
      action: 'watchlist.remove', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'watchlist',
      targetId: entry.id, clientIp: request.ip, details: { plate: entry.plate_pattern },
    });
    return toView({ ...entry, removed_at: now, removed_by: user.id });
  });
}
