import { Type } from '@sinclair/typebox';
import type { Selectable } from 'kysely';
import { requireUser } from '../kernel/http/route-access.ts';
import { badRequest, HubError, notFound } from '../kernel/errors/hub-error.ts';
import { responses } from '../kernel/http/common-schemas.ts';
import type { OutboundUrlGuard } from '../kernel/http/outbound-url.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubRoutes } from '../kernel/hub-feature.ts';
import type { CheckpointSubscriptionsTable } from '../kernel/db/tables/checkpoint.ts';
import { SubscriptionView, UuidParams } from './checkpoint-schemas.ts';
import type { SubscriptionPusher } from './subscription-pusher.ts';

export const subscriptionView = (s: Selectable<CheckpointSubscriptionsTable>) => ({
  id: s.id, subscriber: s.subscriber, organisation: s.organisation, reason: s.reason, receiverUrl: s.receiver_url,
  cameraIds: s.camera_ids ? (JSON.parse(s.camera_ids) as string[]) : null, beginAt: Number(s.begin_at), endAt: Number(s.end_at),
  createdBy: s.created_by, createdAt: Number(s.created_at), cancelledAt: s.cancelled_at === null ? null : Number(s.cancelled_at),
  peerId: s.peer_id, title: s.title, detail: s.detail, resourceUri: s.resource_uri, reportInterval: s.report_interval === null ? null : Number(s.report_interval),
});
const toView = subscriptionView;

/** Receivers are plain http(s) URLs without credentials (they would show up in listings and logs). */
export function checkReceiverUrl(value: string): string {
  let url: URL;
  try { url = new URL(value); } catch { throw badRequest('RECEIVER_URL_INVALID', 'receiverUrl must be an http(s) URL'); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badRequest('RECEIVER_URL_INVALID', 'receiverUrl must be an http(s) URL');
  if (url.username || url.password) throw badRequest('RECEIVER_URL_CREDENTIALS', 'receiverUrl may not carry user:password; receivers check the HMAC signature instead');
  return url.toString();
}

/** checkReceiverUrl, then the outbound guard (issue 13 #9): a receiver on loopback or an internal network is refused at once. */
async function checkReceiverDestination(value: string, outbound: OutboundUrlGuard): Promise<string> {
  const url = checkReceiverUrl(value);
  try {
    await outbound.check(url);
  } catch (error) {
    throw new HubError('RECEIVER_URL_NOT_ALLOWED', `receiverUrl: ${(error as Error).message}`, 400, { cause: error });
  }
  return url;
}

/**
 * Admin view of the GA/T 1400 subscriptions (they send data out of the hub): all of them, including those
 * upper platforms made with POST /VIID/Subscribes; an admin may also subscribe a receiver on a platform's
 * behalf (the hub then issues the SubscribeID) and cancel any. Creation and cancellation are audited.
 */
export function registerSubscriptionRoutes(app: HubRoutes, ctx: HubContext, pusher: SubscriptionPusher, outbound: OutboundUrlGuard): void {

  app.get('/checkpoint/subscriptions', {
    config: { access: ['admin'] },
    schema: { tags: ['checkpoint'], summary: 'All subscriptions', response: responses({ 200: Type.Array(SubscriptionView) }) },
  }, async () => (await ctx.db.selectFrom('checkpoint_subscriptions').selectAll().orderBy('created_at', 'desc').execute()).map(toView));

  app.post('/checkpoint/subscriptions', {
    config: { access: ['admin'] },
    schema: {
      tags: ['checkpoint'], summary: 'Subscribe a receiver to new passes',
      body: Type.Object({
        subscriber: Type.String({ minLength: 1, maxLength: 200 }),
        organisation: Type.String({ minLength: 1, maxLength: 200 }),
        reason: Type.String({ minLength: 3, maxLength: 500 }),
        receiverUrl: Type.String({ minLength: 8, maxLength: 500 }),
        cameraIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 10_000 })),
        beginAt: Type.Integer({ minimum: 0 }),
        endAt: Type.Integer({ minimum: 0 }),
      }, { additionalProperties: false }),
      response: responses({ 201: SubscriptionView }),
    },
  }, async (request, reply) => {
    const user = requireUser(request);
    const body = request.body;
    if (body.endAt <= body.beginAt) throw badRequest('SUBSCRIPTION_PERIOD_INVALID', 'endAt must be after beginAt');
    const row: Selectable<CheckpointSubscriptionsTable> = {
      id: pusher.subscribeId(Date.now()), subscriber: body.subscriber, organisation: body.organisation, reason: body.reason,
      receiver_url: await checkReceiverDestination(body.receiverUrl, outbound), camera_ids: body.cameraIds ? JSON.stringify(body.cameraIds) : null,
      begin_at: body.beginAt, end_at: body.endAt, created_by: user.id, created_at: Date.now(), cancelled_at: null,
      peer_id: null, title: body.reason, detail: '13', resource_uri: null, report_interval: null, result_image_declare: null, department_id: null, updated_at: null,
    };
    await ctx.db.insertInto('checkpoint_subscriptions').values(row).execute();
    pusher.invalidate();
    await ctx.audit.append({
      action: 'checkpoint.subscription.create', userId: user.id, username: user.username, departmentId: user.departmentId,
      targetType: 'checkpoint_subscription', targetId: row.id, reason: body.reason, clientIp: request.ip,
      details: { subscriber: body.subscriber, organisation: body.organisation, receiverUrl: row.receiver_url, beginAt: body.beginAt, endAt: body.endAt },
    });
    reply.status(201);
    return toView(row);
  });

  app.delete('/checkpoint/subscriptions/:id', {
    config: { access: ['admin'] },
    schema: { tags: ['checkpoint'], summary: 'Cancel a subscription', params: UuidParams, response: responses({ 200: SubscriptionView }) },
  }, async (request) => {
    const user = requireUser(request);
    const row = await ctx.db.selectFrom('checkpoint_subscriptions').selectAll().where('id', '=', request.params.id).executeTakeFirst();
    if (!row || row.cancelled_at !== null) throw notFound('SUBSCRIPTION_NOT_FOUND', `subscription ${request.params.id} does not exist or was cancelled`);
    const now = Date.now();
    await ctx.db.updateTable('checkpoint_subscriptions').set({ cancelled_at: now, updated_at: now }).where('id', '=', row.id).execute();
    pusher.invalidate();
    await ctx.audit.append({ action: 'checkpoint.subscription.cancel', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'checkpoint_subscription', targetId: row.id, clientIp: request.ip });
    return toView({ ...row, cancelled_at: now, updated_at: now });
  });
}
