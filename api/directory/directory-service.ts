import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log.ts';
import { hashPassword } from '../kernel/auth/password.ts';
import type { Database, DepartmentKind, Role } from '../kernel/db/tables/index.ts';
import { badRequest, conflict } from '../kernel/errors/hub-error.ts';

export interface NewDepartment {
  name: string;
  kind: DepartmentKind;
  isGovernment: boolean;
}

export interface NewUser {
  username: string;
  displayName: string;
  departmentId: string;
  role: Role;
  password: string;
  dutyOfficer?: boolean;
}

/** The administrator who asked for a creation through the API; the creation is audited in their name. */
export interface DirectoryActor {
  id: string;
  username: string;
  departmentId: string;
  clientIp?: string;
}

/**
 * The one place users and departments are created (API, first run, demo, tests): names checked for
 * uniqueness, passwords hashed, and the creation audited when an administrator asked for it.
 */
export class DirectoryService {
  constructor(private readonly db: Kysely<Database>, private readonly audit: AuditLog) {}

  /** Creates a department; 409 DEPARTMENT_EXISTS when the name is taken. */
  async createDepartment(input: NewDepartment, actor?: DirectoryActor): Promise<{ id: string }> {
    const exists = await this.db.selectFrom('departments').select('id').where('name', '=', input.name).executeTakeFirst();
    if (exists) throw conflict('DEPARTMENT_EXISTS', `a department named "${input.name}" exists`);
    const id = randomUUID();
    await this.db.insertInto('departments').values({ id, name: input.name, kind: input.kind, is_government: input.isGovernment ? 1 : 0, created_at: Date.now() }).execute();
    if (actor) {
      await this.audit.append({ action: 'config.department.create', ...by(actor), targetType: 'department', targetId: id, details: { name: input.name, kind: input.kind } });
    }
    return { id };
  }

  /** The department with this name, created when absent (first run, demo). */
  async ensureDepartment(input: NewDepartment): Promise<{ id: string }> {
    const found = await this.db.selectFrom('departments').select('id').where('name', '=', input.name).executeTakeFirst();
    return found ?? this.createDepartment(input);
  }

  /** Creates a user; 400 DEPARTMENT_UNKNOWN for a missing department, 409 USERNAME_TAKEN for a taken name. */
  async createUser(input: NewUser, actor?: DirectoryActor): Promise<{ id: string }> {
    const department = await this.db.selectFrom('departments').select('id').where('id', '=', input.departmentId).executeTakeFirst();
    if (!department) throw badRequest('DEPARTMENT_UNKNOWN', `department ${input.departmentId} does not exist`);
    if (await this.hasUser(input.username)) throw conflict('USERNAME_TAKEN', `username "${input.username}" is taken`);
    const id = randomUUID();
    await this.db.insertInto('users').values({
      id, username: input.username, display_name: input.displayName, department_id: input.departmentId, role: input.role,
      password_hash: await hashPassword(input.password), duty_officer: input.dutyOfficer ? 1 : 0, disabled: 0, created_at: Date.now(),
    }).execute();
    if (actor) {
      await this.audit.append({ action: 'config.user.create', ...by(actor), targetType: 'user', targetId: id, details: { username: input.username, role: input.role, departmentId: input.departmentId } });
    }
    return { id };
  }

  /** Is there a user with this name (any user at all without one)? */
  async hasUser(username?: string): Promise<boolean> {
    let query = this.db.selectFrom('users').select('id');
    if (username !== undefined) query = query.where('username', '=', username);
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  }

  /** Sets a new password and enables the account; undefined when no user has this name. */
  async resetPassword(username: string, password: string): Promise<{ id: string; departmentId: string } | undefined> {
    const user = await this.db.selectFrom('users').select(['id', 'department_id']).where('username', '=', username).executeTakeFirst();
    if (!user) return undefined;
    await this.db.updateTable('users').set({ password_hash: await hashPassword(password), disabled: 0 }).where('id', '=', user.id).execute();
    return { id: user.id, departmentId: user.department_id };
  }
}

function by(actor: DirectoryActor) {
  return { userId: actor.id, username: actor.username, departmentId: actor.departmentId, clientIp: actor.clientIp };
}
