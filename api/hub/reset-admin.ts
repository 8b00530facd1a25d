import { resolve } from 'node:path';
import { generatePassword, hashPassword } from '../auth/password.ts';
import type { HubConfig } from '../config/config-schema.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { notFound } from '../errors/hub-error.ts';
import { AuditLog } from '../audit/audit-log.ts';

/** Sets a new random password for the configured admin account; returns it (to print once). */
export async function resetAdminPassword(config: HubConfig): Promise<string> {
  const database = openDatabase({ url: config.database.url, dataDir: resolve(config.dataDir) });
  try {
    await migrateToLatest(database.db);
    const admin = await database.db.selectFrom('users').select(['id', 'department_id']).where('username', '=', config.admin.username).executeTakeFirst();
    if (!admin) throw notFound('ADMIN_NOT_FOUND', `no user named ${config.admin.username}; start the hub once first`);
    const password = generatePassword();
    await database.db.updateTable('users').set({ password_hash: await hashPassword(password), disabled: 0 }).where('id', '=', admin.id).execute();
    await new AuditLog(database.db).append({ action: 'config.admin-password-reset', userId: admin.id, username: config.admin.username, departmentId: admin.department_id, targetType: 'user', targetId: admin.id });
    return password;
  } finally {
    await database.close();
  }
}
