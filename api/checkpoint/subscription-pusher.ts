import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { HubContext } from '../hub/hub-context.ts';
import type { CheckpointSubscriptionsTable } from '../kernel/db/tables/checkpoint.ts';
import { gat1400Time, motorVehicleObjects } from './gat1400.ts';
import type { PassRow } from './pass-record.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';

const CACHE_MS = 10_000;

/**
 * GA/T 1400-style subscriptions: new passes inside a subscription's time window (and camera list, if any)
 * are pushed to its receiver as a SubscribeNotificationListObject, one notification per ingest batch,
 * through the durable signed webhook queue.
 */
export class SubscriptionPusher {
  private cache: { at: number; rows: Array<Selectable<CheckpointSubscriptionsTable>> } | undefined;

  constructor(private readonly ctx: HubContext, private readonly delivery: WebhookDelivery) {}

  invalidate(): void {
    this.cache = undefined;
  }

  async push(rows: PassRow[], now = Date.now()): Promise<number> {
    if (!this.cache || now - this.cache.at >= CACHE_MS) {
      const active = await this.ctx.db.selectFrom('checkpoint_subscriptions').selectAll()
        .where('cancelled_at', 'is', null).where('end_at', '>', now).execute();
      this.cache = { at: now, rows: active };
    }
    let queued = 0;
    for (const subscription of this.cache.rows) {
      if (subscription.begin_at > now || subscription.end_at <= now) continue;
      const cameras = subscription.camera_ids ? new Set(JSON.parse(subscription.camera_ids) as string[]) : undefined;
      const matching = rows.filter((row) => !cameras || cameras.has(row.camera_id));
      if (matching.length === 0) continue;
      const notification = {
        SubscribeNotificationListObject: {
          SubscribeNotificationObject: [{
            NotificationID: randomUUID(),
            SubscribeID: subscription.id,
            Title: subscription.reason,
            TriggerTime: gat1400Time(now),
            InfoIDs: matching.map((row) => row.id).join(','),
            MotorVehicleObjectList: { MotorVehicleObject: await motorVehicleObjects(this.ctx, matching, this.ctx.publicUrl()) },
          }],
        },
      };
      await this.delivery.enqueue('subscription', subscription.receiver_url, notification, subscription.id);
      queued++;
    }
    return queued;
  }
}
