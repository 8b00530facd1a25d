import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePassword } from '../../api/kernel/auth/password.ts';
import type { CameraCategory, DepartmentKind, Role } from '../../api/kernel/db/tables/index.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';

export interface DemoDepartment {
  id: string;
  name: string;
  category: CameraCategory;
}

const DEPARTMENTS: Array<{ key: string; name: string; kind: DepartmentKind; category: CameraCategory; isGovernment: boolean }> = [
  { key: 'ps', name: 'Public Security Bureau', kind: 'public_security', category: 'public_security', isGovernment: true },
  { key: 'traffic', name: 'Traffic Police', kind: 'traffic', category: 'traffic', isGovernment: true },
  { key: 'community', name: 'Riverside Community', kind: 'community', category: 'community', isGovernment: false },
];

/**
 * The demo's departments and one approver plus one viewer each, created when absent. Random passwords
 * are kept (mode 0600) in <dataDir>/demo-logins.json so that later demo starts can print them again.
 */
export async function ensureDemoAccounts(ctx: HubContext): Promise<{ departments: DemoDepartment[]; logins: Array<{ username: string; password: string; role: Role; department: string }> }> {
  const file = join(ctx.dataDir, 'demo-logins.json');
  const known: Record<string, string> = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const departments: DemoDepartment[] = [];
  const logins: Array<{ username: string; password: string; role: Role; department: string }> = [];
  for (const spec of DEPARTMENTS) {
    const department = await ctx.directory.ensureDepartment({ name: spec.name, kind: spec.kind, isGovernment: spec.isGovernment });
    departments.push({ id: department.id, name: spec.name, category: spec.category });
    for (const role of ['approver', 'viewer'] as const) {
      const username = `${spec.key}-${role}`;
      if (!await ctx.directory.hasUser(username)) {
        const password = generatePassword(16);
        await ctx.directory.createUser({ username, displayName: `${spec.name} ${role}`, departmentId: department.id, role, password });
        known[username] = password;
      }
      logins.push({ username, password: known[username] ?? '(set before; not known to this demo)', role, department: spec.name });
    }
  }
  writeFileSync(file, JSON.stringify(known, null, 2), { mode: 0o600 });
  return { departments, logins };
}
