import { randomUUID } from 'node:crypto';
import { generatePassword, hashPassword } from '../auth/password.ts';
import type { HubContext } from './hub-context.ts';

export interface FirstRunAdmin {
  username: string;
  /** Set only when the hub generated it; shown once, never stored in clear. */
  generatedPassword?: string;
}

export const ADMIN_DEPARTMENT_NAME = 'Platform Administration';

/**
 * On an empty database, creates the administration department and the first admin: with the configured
 * password, or a random one that is printed once. Returns undefined when users already exist.
 */
export async function ensureFirstRunAdmin(ctx: HubContext): Promise<FirstRunAdmin | undefined> {
  const anyUser = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (anyUser) return undefined;
  const now = Date.now();
  let department = await ctx.db.selectFrom('departments').select('id').where('name', '=', ADMIN_DEPARTMENT_NAME).executeTakeFirst();
  if (!department) {
    department = { id: randomUUID() };
    await ctx.db.insertInto('departments').values({ id: department.id, name: ADMIN_DEPARTMENT_NAME, kind: 'government_other', is_government: 1, created_at: now }).execute();
  }
  const configured = ctx.config.admin.password;
  const password = configured || generatePassword();
  const id = randomUUID();
  await ctx.db.insertInto('users').values({
    id, username: ctx.config.admin.username, display_name: 'Administrator', department_id: department.id, role: 'admin',
    password_hash: await hashPassword(password), duty_officer: 0, disabled: 0, created_at: now,
  }).execute();
  await ctx.audit.append({ action: 'config.first-run-admin', userId: id, username: ctx.config.admin.username, departmentId: department.id, targetType: 'user', targetId: id, details: { generatedPassword: !configured } });
  return { username: ctx.config.admin.username, generatedPassword: configured ? undefined : password };
}
