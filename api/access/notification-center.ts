import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { notFound } from '../kernel/errors/hub-error.ts';
import type { AccessNotificationsTable } from '../kernel/db/tables/access.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { HubEventMap, HubEvents } from '../kernel/events/hub-events.ts';
import './grant-events.ts';
import './notification-events.ts';

export type NotificationKind = AccessNotificationsTable['kind'];

export interface NotificationMessage {
  id: string;
  kind: NotificationKind;
  message: string;
  requestId: string | null;
  grantId: string | null;
  createdAt: number;
  readAt: number | null;
}

/** What an open notification stream receives: a user's own notifications, and grant ends for their department. */
export type StreamEvent =
  | { event: 'notification'; data: NotificationMessage }
  | { event: 'grant.ended'; data: { grantId: string; reason: 'revoked' | 'expired'; at: number } };

interface Subscriber {
  userId: string;
  departmentId: string;
  send(event: StreamEvent): void;
}

const toMessage = (row: Selectable<AccessNotificationsTable>): NotificationMessage => ({
  id: row.id, kind: row.kind, message: row.message, requestId: row.request_id, grantId: row.grant_id,
  createdAt: Number(row.created_at), readAt: row.read_at === null ? null : Number(row.read_at),
});

/** A notification and the user it is for. */
export interface StoredNotification {
  userId: string;
  notification: NotificationMessage;
}

type GrantEnd = HubEventMap['grant.revoked'][0];

/**
 * Per-user notifications: stored (so nothing is lost while offline) and pushed to open streams. The push
 * goes through hub events (notification.created, grant.revoked, grant.expired), which cross cluster nodes,
 * so a stream open on any node hears them.
 */
export class NotificationCenter {
  private readonly subscribers = new Set<Subscriber>();
  private readonly onNotification = ({ userId, notification }: HubEventMap['notification.created'][0]) => {
    for (const subscriber of this.subscribers) if (subscriber.userId === userId) subscriber.send({ event: 'notification', data: notification });
  };
  private readonly onRevoked = (end: GrantEnd) => this.broadcastGrantEnded(end.granteeDepartmentId, { grantId: end.grantId, reason: 'revoked', at: end.at });
  private readonly onExpired = (end: GrantEnd) => this.broadcastGrantEnded(end.granteeDepartmentId, { grantId: end.grantId, reason: 'expired', at: end.at });

  constructor(private readonly db: Kysely<Database>, private readonly events: HubEvents) {}

  /** Starts pushing to open streams (the access feature's start). */
  attach(): void {
    this.events.on('notification.created', this.onNotification);
    this.events.on('grant.revoked', this.onRevoked);
    this.events.on('grant.expired', this.onExpired);
  }

  detach(): void {
    this.events.off('notification.created', this.onNotification);
    this.events.off('grant.revoked', this.onRevoked);
    this.events.off('grant.expired', this.onExpired);
  }

  async notifyUsers(userIds: string[], kind: NotificationKind, message: string, refs: { requestId?: string; grantId?: string } = {}): Promise<void> {
    this.announce(await this.store(userIds, kind, message, refs));
  }

  /**
   * Stores notifications, inside the caller's transaction when one is given (so they commit with what they
   * tell of); hand the result to announce() after the commit.
   */
  async store(userIds: string[], kind: NotificationKind, message: string, refs: { requestId?: string; grantId?: string } = {}, db: Kysely<Database> = this.db): Promise<StoredNotification[]> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return [];
    const at = Date.now();
    const rows = unique.map((userId) => ({
      id: randomUUID(), user_id: userId, kind, message, request_id: refs.requestId ?? null, grant_id: refs.grantId ?? null, created_at: at, read_at: null,
    }));
    await db.insertInto('access_notifications').values(rows).execute();
    return rows.map((row) => ({ userId: row.user_id, notification: toMessage(row) }));
  }

  /** Pushes stored notifications to their users' open streams, on every node. */
  announce(stored: StoredNotification[]): void {
    for (const entry of stored) this.events.emit('notification.created', entry);
  }

  /** Approvers (not disabled) of a department: the people who decide on its cameras. */
  async notifyApprovers(departmentId: string, kind: NotificationKind, message: string, refs: { requestId?: string; grantId?: string } = {}): Promise<void> {
    const approvers = await this.db.selectFrom('users').select('id')
      .where('department_id', '=', departmentId).where('role', '=', 'approver').where('disabled', '=', 0).execute();
    await this.notifyUsers(approvers.map((a) => a.id), kind, message, refs);
  }

  /** Tells every open stream (on this node) of the grantee department that a grant ended (players stop on it). */
  private broadcastGrantEnded(granteeDepartmentId: string, data: { grantId: string; reason: 'revoked' | 'expired'; at: number }): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.departmentId === granteeDepartmentId) subscriber.send({ event: 'grant.ended', data });
    }
  }

  /** Retention: deletes notifications created before the cutoff, read or not; returns how many went. */
  async prune(before: number): Promise<number> {
    return Number((await this.db.deleteFrom('access_notifications').where('created_at', '<', before).executeTakeFirst()).numDeletedRows);
  }

  async list(userId: string, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<NotificationMessage[]> {
    let query = this.db.selectFrom('access_notifications').selectAll().where('user_id', '=', userId);
    if (options.unreadOnly) query = query.where('read_at', 'is', null);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').limit(options.limit ?? 100).execute();
    return rows.map(toMessage);
  }

  async markRead(userId: string, id: string): Promise<void> {
    const result = await this.db.updateTable('access_notifications').set({ read_at: Date.now() })
      .where('id', '=', id).where('user_id', '=', userId).where('read_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const exists = await this.db.selectFrom('access_notifications').select('id').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      if (!exists) throw notFound('NOTIFICATION_NOT_FOUND', `you have no notification ${id}`);
    }
  }

  subscribe(userId: string, departmentId: string, send: (event: StreamEvent) => void): () => void {
    const subscriber: Subscriber = { userId, departmentId, send };
    this.subscribers.add(subscriber);
    return () => { this.subscribers.delete(subscriber); };
  }

  get openStreams(): number {
    return this.subscribers.size;
  }
}
