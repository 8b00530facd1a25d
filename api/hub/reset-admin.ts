import { resolve } from 'node:path';
import { generatePassword } from '../kernel/auth/password.ts';
import type { HubConfig } from './hub-config.ts';
import { openDatabase } from '../kernel/db/database.ts';
import { migrateToLatest } from '../kernel/db/migrator.ts';
import { notFound } from '../kernel/errors/hub-error.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { DirectoryService } from '../directory/directory-service.ts';

/** Sets a new random password for the configured admin account; returns it (to print once). */
export async function resetAdminPassword(config: HubConfig): Promise<string> {
  const database = openDatabase({ url: config.database.url, dataDir: resolve(config.dataDir) });
  try {
    await migrateToLatest(database.db);
    const audit = new AuditLog(database.db);
    const password = generatePassword();
    const admin = await new DirectoryService(database.db, audit).resetPassword(config.admin.username, password);
    if (!admin) throw notFound('ADMIN_NOT_FOUND', `no user named ${config.admin.username}; start the hub once first`);
    await audit.append({ action: 'config.admin-password-reset', userId: admin.id, username: config.admin.username, departmentId: admin.departmentId, targetType: 'user', targetId: admin.id });
    return password;
  } finally {
    await database.close();
  }
}
