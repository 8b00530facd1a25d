import type { Kysely } from 'kysely';
import { unauthorized } from '../errors/hub-error.ts';
import type { Database } from '../db/tables/index.ts';
import type { AuthUser } from './token-service.ts';

interface UserState {
  disabled: boolean;
  role: string;
  departmentId: string;
  readAt: number;
}

/**
 * Issue 13 #14: access tokens live 15 minutes, but disabling a user or changing their role or department
 * must not wait for that. Each authenticated request compares the token's claims with the user's row,
 * read at most every `recheckSeconds` per user (0 = every request); a mismatch is 401 TOKEN_REVOKED and the
 * client logs in again (getting a token with the new role, or none when disabled).
 */
export class CurrentUserCheck {
  private readonly cache = new Map<string, UserState>();

  constructor(private readonly db: Kysely<Database>, private readonly recheckSeconds: number) {}

  async assertCurrent(user: AuthUser, now = Date.now()): Promise<void> {
    const state = await this.state(user.id, now);
    if (!state || state.disabled || state.role !== user.role || state.departmentId !== user.departmentId) {
      throw unauthorized('TOKEN_REVOKED', 'this account was disabled or its role changed since you logged in; log in again');
    }
  }

  private async state(userId: string, now: number): Promise<UserState | undefined> {
    const cached = this.cache.get(userId);
    if (cached && now - cached.readAt < this.recheckSeconds * 1_000) return cached;
    const row = await this.db.selectFrom('users').select(['disabled', 'role', 'department_id']).where('id', '=', userId).executeTakeFirst();
    if (!row) {
      this.cache.delete(userId);
      return undefined;
    }
    const state = { disabled: row.disabled === 1, role: row.role, departmentId: row.department_id, readAt: now };
    // Bounded: a burst of many distinct users is not worth more memory than a re-read.
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(userId, state);
    return state;
  }
}
