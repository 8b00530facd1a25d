import { generatePassword } from '../kernel/auth/password.ts';
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
  if (await ctx.directory.hasUser()) return undefined;
  const department = await ctx.directory.ensureDepartment({ name: ADMIN_DEPARTMENT_NAME, kind: 'government_other', isGovernment: true });
  const configured = ctx.config.admin.password;
  const password = configured || generatePassword();
  const { id } = await ctx.directory.createUser({ username: ctx.config.admin.username, displayName: 'Administrator', departmentId: department.id, role: 'admin', password });
  await ctx.audit.append({ action: 'config.first-run-admin', userId: id, username: ctx.config.admin.username, departmentId: department.id, targetType: 'user', targetId: id, details: { generatedPassword: !configured } });
  return { username: ctx.config.admin.username, generatedPassword: configured ? undefined : password };
}
