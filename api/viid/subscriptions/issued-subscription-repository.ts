import type { Kysely, Selectable } from 'kysely';
import type { Database, IssuedSubscriptionStatus, ViidIssuedSubscriptionsTable } from '../../kernel/db/tables/index.ts';

export type IssuedSubscription = Selectable<ViidIssuedSubscriptionsTable>;

/** The one owner of viid_issued_subscriptions: the subscriptions we issued to lower 视图库 platforms and devices. */
export class IssuedSubscriptionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: IssuedSubscription): Promise<void> {
    await this.db.insertInto('viid_issued_subscriptions').values(row).execute();
  }

  find(id: string): Promise<IssuedSubscription | undefined> {
    return this.db.selectFrom('viid_issued_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(peerId?: string): Promise<IssuedSubscription[]> {
    let query = this.db.selectFrom('viid_issued_subscriptions').selectAll();
    if (peerId) query = query.where('peer_id', '=', peerId);
    return query.orderBy('created_at', 'desc').limit(1_000).execute();
  }

  /** Subscriptions still wanted (being sent, active or retrying) whose end has not passed. */
  live(now: number): Promise<IssuedSubscription[]> {
    return this.db.selectFrom('viid_issued_subscriptions').selectAll()
      .where('status', 'in', ['pending', 'active', 'retrying']).where('end_at', '>', now).orderBy('created_at').execute();
  }

  /** Retrying ones whose end passed before the lower one accepted them. */
  overdueRetrying(now: number): Promise<IssuedSubscription[]> {
    return this.db.selectFrom('viid_issued_subscriptions').selectAll().where('status', '=', 'retrying').where('end_at', '<=', now).execute();
  }

  /**
   * A cancelled subscription stays cancelled: an answer to an attempt still in flight does not bring it back.
   * False when nothing changed (the subscription is gone or was cancelled).
   */
  async setStatus(id: string, status: IssuedSubscriptionStatus, statusCode: number | null, statusText: string, at: number): Promise<boolean> {
    let query = this.db.updateTable('viid_issued_subscriptions')
      .set({ status, status_code: statusCode, status_text: statusText.slice(0, 500), updated_at: at, ...(status === 'cancelled' ? { cancelled_at: at } : {}) })
      .where('id', '=', id);
    if (status !== 'cancelled') query = query.where('status', '!=', 'cancelled');
    const result = await query.executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Counts a notification (and its objects) that arrived for our subscription from the peer we asked; false when it is not ours or not that peer's. */
  async noteNotification(id: string, peerId: string, objects: number, at: number): Promise<boolean> {
    const result = await this.db.updateTable('viid_issued_subscriptions')
      .set((eb) => ({ notifications: eb('notifications', '+', 1), objects: eb('objects', '+', objects), last_notified_at: at }))
      .where('id', '=', id).where('peer_id', '=', peerId).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
