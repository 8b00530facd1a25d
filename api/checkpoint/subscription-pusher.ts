import type { Selectable } from 'kysely';
import type { HubContext } from '../hub/hub-context.ts';
import type { CheckpointSubscriptionsTable } from '../kernel/db/tables/checkpoint.ts';
import { gat1400Time, type MotorVehicleObject } from './gat1400.ts';
import { join } from 'node:path';
import { NotificationImages, parseImageDeclare } from './notification-images.ts';
import type { PassRow } from './pass-record.ts';
import { visibleCameras } from './pass-visibility.ts';
import type { WebhookDelivery } from './webhook-delivery.ts';

/**
 * Every change that narrows or widens a subscription (subscribe, change, cancel, a peer disabled or removed,
 * a camera moved, a grant given, revoked or expired) invalidates at once, and the cache never outlives the
 * first end of a grant behind it (a grant's end is announced only by the sweep, later); this period bounds
 * how long other time-driven changes nobody announces can go unnoticed.
 */
const CACHE_MS = 10_000;
/** A notification held for its ReportInterval takes at most this many objects; more start the next one. */
const MAX_OBJECTS_PER_NOTIFICATION = 1_000;

/** The notification payload with `objects` added, or undefined when it would pass the cap. */
function appendObjects(payload: string, objects: Array<{ MotorVehicleID: string }>): string | undefined {
  const parsed = JSON.parse(payload) as { SubscribeNotificationListObject: { SubscribeNotificationObject: Array<{ InfoIDs: string; MotorVehicleObjectList: { MotorVehicleObject: unknown[] } }> } };
  const notification = parsed.SubscribeNotificationListObject.SubscribeNotificationObject[0]!;
  const list = notification.MotorVehicleObjectList.MotorVehicleObject;
  if (list.length + objects.length > MAX_OBJECTS_PER_NOTIFICATION) return undefined;
  list.push(...objects);
  notification.InfoIDs = [notification.InfoIDs, ...objects.map((o) => o.MotorVehicleID)].filter(Boolean).join(',');
  return JSON.stringify(parsed);
}

type SubscriptionRow = Selectable<CheckpointSubscriptionsTable>;

/** Turns passes into the MotorVehicleObjects of a notification (conformant IDs, codes, signed image URLs). */
export type MotorVehicleExport = (rows: PassRow[]) => Promise<MotorVehicleObject[]>;

/** How the pusher learns the cameras a ResourceURI names (national device IDs → camera ids). */
export type ResourceResolver = (nationalIds: string[]) => Promise<string[]>;

/** Cascade upward: every new pass (visible to departmentId; null = all) is pushed to an upstream 视图库 as a device would. */
export interface UpwardPush {
  /** The upstream's POST /VIID/MotorVehicles URL. */
  targetUrl: string;
  departmentId: string | null;
}

interface ActiveSubscription {
  row: SubscriptionRow;
  /** Cameras the subscriber may receive; undefined = every camera (admin-made). */
  cameras: Set<string> | undefined;
}

/**
 * GA/T 1400 subscriptions: new passes inside a subscription's time window, on the devices its ResourceURI
 * names (all when empty) and visible to the subscriber's department, are sent to its ReceiveAddr as a
 * SubscribeNotificationListObject with the subscriber's own SubscribeID and a standard NotificationID:
 * one notification per ingest batch, or with ReportInterval N one per N seconds carrying all passes of that
 * interval (up to 1,000 objects), through the durable delivery queue (which reads the receiver's
 * ResponseStatusListObject and retries on StatusCode ≠ 0).
 */
export class SubscriptionPusher {
  /** `until`: the cache is read again from then on (its period, or the first end of a grant it relies on). */
  private cache: { until: number; active: ActiveSubscription[] } | undefined;
  /** Bumped by invalidate(): a read that started before a change does not store its (stale) result. */
  private generation = 0;
  private upwardCameras: { cameras: Set<string> | undefined } | undefined;
  private serial = Math.floor(Math.random() * 100_000);
  private subscriberFilter: ((peerId: string) => Promise<boolean>) | undefined;

  constructor(
    private readonly ctx: HubContext,
    private readonly delivery: WebhookDelivery,
    private readonly toObjects: MotorVehicleExport,
    private readonly resolveResources: ResourceResolver,
    /** Our 20-digit 视图库 ID (its first 12 digits start every NotificationID). */
    private readonly serverId: () => string,
    private readonly upward?: UpwardPush,
  ) {}

  invalidate(): void {
    this.generation++;
    this.cache = undefined;
  }

  /**
   * Who may still receive: the viid feature answers for subscribers (a removed or disabled peer's
   * subscriptions stop, though they are kept). Admin-made subscriptions (no peer) are not asked about.
   */
  setSubscriberFilter(filter: (peerId: string) => Promise<boolean>): void {
    this.subscriberFilter = filter;
    this.invalidate();
  }

  /** NotificationID, 33 characters like a SubscribeID: our 12-digit organisation prefix + `04` + time + 5-digit serial. */
  notificationId(now: number): string {
    this.serial = (this.serial + 1) % 100_000;
    return `${this.serverId().slice(0, 12)}04${gat1400Time(now)}${String(this.serial).padStart(5, '0')}`;
  }

  /** SubscribeID for a subscription an admin makes on a receiver's behalf (33: organisation prefix + `03` + time + serial). */
  subscribeId(now: number): string {
    this.serial = (this.serial + 1) % 100_000;
    return `${this.serverId().slice(0, 12)}03${gat1400Time(now)}${String(this.serial).padStart(5, '0')}`;
  }

  async push(rows: PassRow[], now = Date.now()): Promise<number> {
    const active = await this.activeSubscriptions(now);
    let queued = 0;
    // Each pass becomes an object once, whatever number of subscriptions (and the upward push) it goes to.
    let converted: Map<PassRow, MotorVehicleObject> | undefined;
    const pictures = new NotificationImages(join(this.ctx.dataDir, 'images'));
    const objectsOf = async (matching: PassRow[]) => {
      if (!converted) {
        const all = await this.toObjects(rows);
        converted = new Map(rows.map((row, i) => [row, all[i]!]));
      }
      return matching.map((row) => converted!.get(row)!);
    };
    if (this.upward && this.upwardCameras) {
      const { cameras } = this.upwardCameras;
      const matching = rows.filter((row) => !cameras || cameras.has(row.camera_id));
      if (matching.length > 0) {
        const objects = await objectsOf(matching);
        await this.delivery.enqueue('cascade', this.upward.targetUrl, { MotorVehicleListObject: { MotorVehicleObject: objects } });
        queued++;
      }
    }
    for (const { row: subscription, cameras } of active) {
      if (subscription.begin_at > now || subscription.end_at <= now) continue;
      if (!subscription.detail.split(',').map((d) => d.trim()).includes('13')) continue;
      const matching = rows.filter((row) => !cameras || cameras.has(row.camera_id));
      if (matching.length === 0) continue;
      // ResultImageDeclare: pictures inline as base64 Data, by signed URL, or none.
      const objects = await pictures.apply(await objectsOf(matching), matching, parseImageDeclare(subscription.result_image_declare));
      const interval = Number(subscription.report_interval ?? 0);
      // ReportInterval: new objects join the notification waiting for the interval's end, if there is one.
      if (interval > 0 && await this.delivery.appendPending(subscription.id, now, (payload) => appendObjects(payload, objects))) continue;
      const notificationId = this.notificationId(now);
      const notification = {
        SubscribeNotificationListObject: {
          SubscribeNotificationObject: [{
            NotificationID: notificationId,
            SubscribeID: subscription.id,
            Title: subscription.title ?? subscription.reason,
            TriggerTime: gat1400Time(now),
            InfoIDs: objects.map((object) => object.MotorVehicleID).join(','),
            MotorVehicleObjectList: { MotorVehicleObject: objects },
          }],
        },
      };
      await this.delivery.enqueue('subscription', subscription.receiver_url, notification, subscription.id, notificationId, interval > 0 ? now + interval * 1000 : undefined);
      queued++;
    }
    return queued;
  }

  private async activeSubscriptions(now: number): Promise<ActiveSubscription[]> {
    if (this.cache && now < this.cache.until) return this.cache.active;
    const generation = this.generation;
    const validity = { until: now + CACHE_MS };
    const rows = await this.ctx.db.selectFrom('checkpoint_subscriptions').selectAll()
      .where('cancelled_at', 'is', null).where('end_at', '>', now).execute();
    const active: ActiveSubscription[] = [];
    for (const row of rows) {
      if (row.peer_id !== null && this.subscriberFilter && !(await this.subscriberFilter(row.peer_id))) continue;
      active.push({ row, cameras: await this.camerasOf(row, now, validity) });
    }
    const upwardCameras = this.upward ? { cameras: await this.visibleTo(this.upward.departmentId, undefined, now, validity) } : undefined;
    if (generation !== this.generation) return this.activeSubscriptions(now);
    this.cache = { until: validity.until, active };
    this.upwardCameras = upwardCameras;
    return active;
  }

  /** Intersection of the named resources (camera_ids or ResourceURI) and what the subscriber's department may see. */
  private async camerasOf(row: SubscriptionRow, now: number, validity: { until: number }): Promise<Set<string> | undefined> {
    let named: Set<string> | undefined;
    if (row.camera_ids) named = new Set(JSON.parse(row.camera_ids) as string[]);
    const resources = (row.resource_uri ?? '').split(',').map((id) => id.trim()).filter(Boolean);
    if (resources.length > 0) named = new Set([...(named ?? []), ...(await this.resolveResources(resources))]);
    return this.visibleTo(row.department_id, named, now, validity);
  }

  /**
   * `named` narrowed to what the department may see (its own cameras and granted ones); null department = no
   * narrowing. `validity.until` is brought forward to the end of the first grant this relies on.
   */
  private async visibleTo(departmentId: string | null, named: Set<string> | undefined, now: number, validity: { until: number }): Promise<Set<string> | undefined> {
    if (departmentId === null) return named;
    const visible = await visibleCameras(this.ctx, { role: 'viewer', departmentId }, now);
    if (!visible.all && visible.until !== undefined) validity.until = Math.min(validity.until, visible.until);
    const allowed = new Set(visible.all ? [] : visible.cameraIds);
    return new Set([...(named ?? allowed)].filter((id) => allowed.has(id)));
  }
}
