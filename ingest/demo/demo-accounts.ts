import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePassword, hashPassword } from '../../api/auth/password.ts';
import type { CameraCategory, DepartmentKind, Role } from '../../api/db/tables/index.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';

export interface DemoDepartment {
  id: string;
  name: string;
  category: CameraCategory;
}

const DEPARTMENTS: Array<{ key: string; name: string; kind: DepartmentKind; category: CameraCategory; government: number }> = [
  { key: 'ps', name: 'Public Security Bureau', kind: 'public_security', category: 'public_security', government: 1 },
  { key: 'traffic', name: 'Traffic Police', kind: 'traffic', category: 'traffic', government: 1 },
  { key: 'community', name: 'Riverside Community', kind: 'community', category: 'community', government: 0 },
];

/**
 * The demo's departments and one approver plus one viewer each, created when absent. Random passwords
 * are kept (mode 0600) in <dataDir>/demo-logins.json so that later demo starts can print them again.
 */
export async function ensureDemoAccounts(ctx: HubContext): Promise<{ departments: DemoDepartment[]; logins: Array<{ username: string; password: string; role: Role; department: string }> }> {
  const file = join(ctx.dataDir, 'demo-logins.json');
  const known: Record<string, string> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const now = Date.now();
  const departments: DemoDepartment[] = [];
  const logins: Array<{ username: string; password: string; role: Role; department: string }> = [];
  for (const spec of DEPARTMENTS) {
    let department = await ctx.db.selectFrom('departments').select(['id', 'name']).where('name', '=', spec.name).executeTakeFirst();
    if (!department) {
      department = { id: randomUUID(), name: spec.name };
      await ctx.db.insertInto('departments').values({ id: department.id, name: spec.name, kind: spec.kind, is_government: spec.government, created_at: now }).execute();
    }
    departments.push({ id: department.id, name: department.name, category: spec.category });
    for (const role of ['approver', 'viewer'] as const) {
      const username = `${spec.key}-${role}`;
      const exists = await ctx.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
      if (!exists) {
        const password = generatePassword(16);
        await ctx.db.insertInto('users').values({
          id: randomUUID(), username, display_name: `${spec.name} ${role}`, department_id: department.id, role,
          password_hash: await hashPassword(password), duty_officer: 0, disabled: 0, created_at: now,
        }).execute();
        known[username] = password;
      }
      logins.push({ username, password: known[username] ?? '(set before; not known to this demo)', role, department: spec.name });
    }
  }
  writeFileSync(file, JSON.stringify(known, null, 2), { mode: 0o600 });
  return { departments, logins };
}
