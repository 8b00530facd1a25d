import type { Kysely } from 'kysely';
import { roleSatisfies } from '../../api/kernel/http/route-access.ts';
import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import type { Database } from '../../api/kernel/db/tables/index.ts';

/** What the menu badges show; null where the user's role has no such list (the menu hides that entry too). */
export interface ConsoleCounts {
  /** Access requests waiting for a decision by the user's department (admin: all); approvers and admins. */
  pendingRequests: number | null;
  /** Watchlist alerts of the user's department (admin: all) nobody acknowledged yet; viewers, approvers, admins. */
  unacknowledgedAlerts: number | null;
  /** The user's own unread notifications. */
  unreadNotifications: number;
}

const count = async (query: { executeTakeFirstOrThrow(): Promise<{ n: string | number | bigint }> }) => Number((await query.executeTakeFirstOrThrow()).n);

/**
 * The three counts behind the menu badges, each scoped exactly like the list it counts (the approvals,
 * alerts and notifications routes), so a badge never counts what its page would not show.
 */
export async function consoleCounts(db: Kysely<Database>, user: AuthUser): Promise<ConsoleCounts> {
  const admin = user.role === 'admin';
  const pending = roleSatisfies(user.role, ['approver'])
    ? (() => {
      let q = db.selectFrom('access_requests').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending');
      if (!admin) q = q.where('owner_department_id', '=', user.departmentId);
      return count(q);
    })()
    : null;
  const alerts = roleSatisfies(user.role, ['viewer'])
    ? (() => {
      let q = db.selectFrom('checkpoint_alerts as a').innerJoin('checkpoint_watchlist as w', 'w.id', 'a.watchlist_id')
        .select((eb) => eb.fn.countAll().as('n')).where('a.acknowledged_at', 'is', null);
      if (!admin) q = q.where('w.owner_department_id', '=', user.departmentId);
      return count(q);
    })()
    : null;
  const unread = count(db.selectFrom('access_notifications').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', user.id).where('read_at', 'is', null));
  const [pendingRequests, unacknowledgedAlerts, unreadNotifications] = await Promise.all([pending, alerts, unread]);
  return { pendingRequests, unacknowledgedAlerts, unreadNotifications };
}
