import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MotorVehicleIntake } from '../motor-vehicle-intake.ts';
import type { PeerSession, PeerSessions } from '../peer-sessions.ts';
import { responseStatus, STATUS, statusList, ViidReplySchema, viidBadContent } from '../viid-status.ts';

const Open = Type.Object({}, { additionalProperties: true });
const MAX_NOTIFICATIONS = 100;
const pathOf = (request: FastifyRequest) => request.url.split('?')[0]!;

/** The notifications of a body (a list, or one object as some platforms send). */
function notificationsOf(body: unknown): Array<Record<string, unknown>> {
  const inner = (body as { SubscribeNotificationListObject?: { SubscribeNotificationObject?: unknown } } | null)?.SubscribeNotificationListObject?.SubscribeNotificationObject;
  const list = Array.isArray(inner) ? inner : inner && typeof inner === 'object' ? [inner] : undefined;
  if (!list) throw viidBadContent('VIID_NO_NOTIFICATIONS', 'expected {"SubscribeNotificationListObject":{"SubscribeNotificationObject":[…]}}');
  if (list.length > MAX_NOTIFICATIONS) throw viidBadContent('VIID_TOO_MANY_NOTIFICATIONS', `at most ${MAX_NOTIFICATIONS} notifications per request`);
  return list as Array<Record<string, unknown>>;
}

/** MotorVehicleObjects of one notification: `MotorVehicleObjectList` (xiezhihui98, fliad) or `MotorVehicleListObject` (haoxianrui). */
function vehiclesOf(notification: Record<string, unknown>): unknown[] {
  const holder = (notification.MotorVehicleObjectList ?? notification.MotorVehicleListObject) as { MotorVehicleObject?: unknown } | undefined;
  const inner = holder?.MotorVehicleObject;
  return Array.isArray(inner) ? inner : inner ? [inner] : [];
}

/**
 * POST /VIID/SubscribeNotifications: a registered platform (a lower 视图库 or third-party platform an operator
 * had subscribe-push to us) delivers its notifications here. Their vehicles go through the same intake as
 * POST /VIID/MotorVehicles (the peer's own devices only, idempotent on MotorVehicleID); the reply has one
 * ResponseStatusObject per notification (Id = NotificationID): 0 when every vehicle in it was stored (or
 * was already), else the first refusal's StatusCode, so the sender retries what failed. A notification
 * stored whole is reported to `delivered` (our downward subscriptions count what arrived for their SubscribeID).
 */
export function registerNotificationRoutes(scope: FastifyInstance, sessions: PeerSessions, intake: MotorVehicleIntake,
  delivered: (subscribeId: string, peerId: string, objects: number) => Promise<unknown> = async () => {},
  /** A lower 视图库 we registered at (it need not register to us): its session, else undefined. */
  registeredWith: (request: FastifyRequest) => Promise<PeerSession | undefined> = async () => undefined): void {
  scope.post('/SubscribeNotifications', {
    config: { access: 'public', rateLimit: false },
    schema: { tags: ['viid'], summary: 'GA/T 1400 notifications delivered to us (vehicles of the peer\'s own devices)', body: Open, response: { 200: ViidReplySchema, '4xx': ViidReplySchema } },
  }, async (request) => {
    const session = (await registeredWith(request)) ?? sessions.identify(request);
    const path = pathOf(request);
    const statuses = [];
    for (const notification of notificationsOf(request.body)) {
      const id = String(notification.NotificationID ?? '').slice(0, 64);
      const vehicles = vehiclesOf(notification);
      const outcomes = vehicles.length ? await intake.receive(session, vehicles) : [];
      const failed = outcomes.find((o) => o.statusCode !== STATUS.ok);
      const subscribeId = String(notification.SubscribeID ?? '').slice(0, 64);
      if (!failed && subscribeId) await delivered(subscribeId, session.peerId, outcomes.length);
      statuses.push(failed ? responseStatus(path, failed.statusCode, `${failed.id}: ${failed.text}`, id) : responseStatus(path, STATUS.ok, `OK (${outcomes.length} vehicles)`, id));
    }
    return statusList(statuses);
  });
}
