import type { HubContext } from '../../hub/hub-context.ts';
import type { OutboundUrlGuard } from '../../kernel/http/outbound-url.ts';
import { isDomainError } from '../../kernel/errors/domain-error.ts';
import { parseSubscribeObject, type SubscribeRequest } from './subscribe-object.ts';

/** Who asked: a registered upper platform (its session) or the upstream 视图库 we are registered with. */
export interface Subscriber {
  peerId: string;
  /** Whose visibility applies to what is sent; null = every camera (an upstream configured so). */
  departmentId: string | null;
  address: string;
}

/** One object's outcome, as its ResponseStatusObject says it. */
export interface SubscribeOutcome {
  id: string;
  statusCode: number;
  text: string;
}

const OK = 0;
const INVALID_OPERATION = 4;
const INVALID_CONTENT = 8;

/**
 * GA/T 1400 subscriptions kept for upper platforms: create or change (OperateType 0) and cancel
 * (OperateType 1, PUT, or DELETE ?IDList=). The row's id is the subscriber's own SubscribeID; a subscriber
 * can only see and change its own. Each object is applied on its own (one status per object); every change
 * is audited with the peer and its address.
 */
export class SubscriptionService {
  constructor(
    private readonly ctx: HubContext,
    private readonly outbound: OutboundUrlGuard,
    /** Tells the pusher to re-read subscriptions. */
    private readonly changed: () => void,
  ) {}

  async apply(subscriber: Subscriber, objects: unknown[], mode: 'create' | 'update'): Promise<SubscribeOutcome[]> {
    const outcomes: SubscribeOutcome[] = [];
    for (const object of objects) {
      const id = typeof (object as { SubscribeID?: unknown })?.SubscribeID === 'string' ? String((object as { SubscribeID: string }).SubscribeID).slice(0, 64) : '';
      try {
        const request = parseSubscribeObject(object);
        outcomes.push(request.operateType === 1 ? await this.cancel(subscriber, request.subscribeId) : await this.save(subscriber, request, mode));
      } catch (error) {
        if (!isDomainError(error)) throw error;
        outcomes.push({ id, statusCode: INVALID_CONTENT, text: `${error.code}: ${error.message}` });
      }
    }
    if (outcomes.some((o) => o.statusCode === OK)) this.changed();
    return outcomes;
  }

  async cancelAll(subscriber: Subscriber, ids: string[]): Promise<SubscribeOutcome[]> {
    const outcomes: SubscribeOutcome[] = [];
    for (const id of ids) outcomes.push(await this.cancel(subscriber, id));
    if (outcomes.some((o) => o.statusCode === OK)) this.changed();
    return outcomes;
  }

  private async save(subscriber: Subscriber, request: SubscribeRequest, mode: 'create' | 'update'): Promise<SubscribeOutcome> {
    const id = request.subscribeId;
    try {
      await this.outbound.check(request.receiveAddr);
    } catch (error) {
      return { id, statusCode: INVALID_CONTENT, text: `RECEIVER_URL_NOT_ALLOWED: ${(error as Error).message}` };
    }
    const now = Date.now();
    const existing = await this.ctx.db.selectFrom('checkpoint_subscriptions').select(['peer_id', 'cancelled_at']).where('id', '=', id).executeTakeFirst();
    if (existing && existing.peer_id !== subscriber.peerId) return { id, statusCode: INVALID_OPERATION, text: 'VIID_SUBSCRIBE_ID_TAKEN: this SubscribeID belongs to another subscriber' };
    if (mode === 'update' && (!existing || existing.cancelled_at !== null)) return { id, statusCode: INVALID_OPERATION, text: 'VIID_SUBSCRIBE_NOT_FOUND: no active subscription with this SubscribeID' };
    const fields = {
      subscriber: request.applicantName ?? subscriber.peerId, organisation: request.applicantOrg ?? subscriber.peerId.slice(0, 12),
      reason: request.reason ?? request.title ?? 'GA/T 1400 subscription', receiver_url: request.receiveAddr, camera_ids: null,
      begin_at: request.beginAt, end_at: request.endAt, cancelled_at: null, title: request.title, detail: request.detail,
      resource_uri: request.resourceIds.length ? request.resourceIds.join(',') : null, report_interval: request.reportInterval,
      result_image_declare: request.resultImageDeclare, department_id: subscriber.departmentId, updated_at: now,
    };
    if (existing) {
      await this.ctx.db.updateTable('checkpoint_subscriptions').set(fields).where('id', '=', id).execute();
    } else {
      await this.ctx.db.insertInto('checkpoint_subscriptions').values({ id, peer_id: subscriber.peerId, created_by: `viid:${subscriber.peerId}`, created_at: now, ...fields }).execute();
    }
    await this.ctx.audit.append({
      action: existing ? 'viid.subscribe.update' : 'viid.subscribe', targetType: 'checkpoint_subscription', targetId: id,
      departmentId: subscriber.departmentId ?? undefined, clientIp: subscriber.address, reason: fields.reason,
      details: { peerId: subscriber.peerId, receiveAddr: request.receiveAddr, detail: request.detail, resources: request.resourceIds.length, beginAt: request.beginAt, endAt: request.endAt },
    });
    return { id, statusCode: OK, text: 'OK' };
  }

  private async cancel(subscriber: Subscriber, id: string): Promise<SubscribeOutcome> {
    const now = Date.now();
    const result = await this.ctx.db.updateTable('checkpoint_subscriptions').set({ cancelled_at: now, updated_at: now })
      .where('id', '=', id).where('peer_id', '=', subscriber.peerId).where('cancelled_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return { id, statusCode: INVALID_OPERATION, text: 'VIID_SUBSCRIBE_NOT_FOUND: no active subscription of yours with this SubscribeID' };
    await this.ctx.audit.append({
      action: 'viid.subscribe.cancel', targetType: 'checkpoint_subscription', targetId: id,
      departmentId: subscriber.departmentId ?? undefined, clientIp: subscriber.address, details: { peerId: subscriber.peerId },
    });
    return { id, statusCode: OK, text: 'OK' };
  }
}
