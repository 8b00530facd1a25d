import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { hashPassword } from '../auth/password.ts';
import { requireUser } from '../auth/route-access.ts';
import { badRequest, conflict } from '../errors/hub-error.ts';
import { responses } from '../http/common-schemas.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubFeature } from '../hub/hub-feature.ts';

const DepartmentKind = Type.Union(['public_security', 'traffic', 'community', 'government_other', 'other'].map((k) => Type.Literal(k)));
const RoleSchema = Type.Union(['admin', 'approver', 'viewer', 'auditor'].map((r) => Type.Literal(r)));

const DepartmentView = Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String(), isGovernment: Type.Boolean() });
const DirectoryUserView = Type.Object({
  id: Type.String(), username: Type.String(), displayName: Type.String(), departmentId: Type.String(),
  role: Type.String(), dutyOfficer: Type.Boolean(), disabled: Type.Boolean(),
});

/** Departments and user accounts, managed by administrators. */
export function createDirectoryFeature(ctx: HubContext): HubFeature {
  return {
    name: 'directory',
    registerRoutes(app) {
      const r = app.withTypeProvider<TypeBoxTypeProvider>();
      r.get('/departments', {
        config: { access: 'user' },
        schema: { tags: ['directory'], summary: 'All departments', response: responses({ 200: Type.Array(DepartmentView) }) },
      }, async () => {
        const rows = await ctx.db.selectFrom('departments').selectAll().orderBy('name').execute();
        return rows.map((d) => ({ id: d.id, name: d.name, kind: d.kind, isGovernment: d.is_government === 1 }));
      });

      r.post('/departments', {
        config: { access: ['admin'] },
        schema: {
          tags: ['directory'], summary: 'Create a department',
          body: Type.Object({ name: Type.String({ minLength: 2, maxLength: 100 }), kind: DepartmentKind, isGovernment: Type.Boolean() }, { additionalProperties: false }),
          response: responses({ 201: DepartmentView }),
        },
      }, async (request, reply) => {
        const { name, kind, isGovernment } = request.body;
        const exists = await ctx.db.selectFrom('departments').select('id').where('name', '=', name).executeTakeFirst();
        if (exists) throw conflict('DEPARTMENT_EXISTS', `a department named "${name}" exists`);
        const id = randomUUID();
        await ctx.db.insertInto('departments').values({ id, name, kind, is_government: isGovernment ? 1 : 0, created_at: Date.now() }).execute();
        const admin = requireUser(request);
        await ctx.audit.append({ action: 'config.department.create', userId: admin.id, username: admin.username, departmentId: admin.departmentId, targetType: 'department', targetId: id, clientIp: request.ip, details: { name, kind } });
        reply.status(201);
        return { id, name, kind, isGovernment };
      });

      r.get('/users', {
        config: { access: ['admin'] },
        schema: { tags: ['directory'], summary: 'All user accounts (no password hashes)', response: responses({ 200: Type.Array(DirectoryUserView) }) },
      }, async () => {
        const rows = await ctx.db.selectFrom('users').select(['id', 'username', 'display_name', 'department_id', 'role', 'duty_officer', 'disabled']).orderBy('username').execute();
        return rows.map((u) => ({
          id: u.id, username: u.username, displayName: u.display_name, departmentId: u.department_id,
          role: u.role, dutyOfficer: u.duty_officer === 1, disabled: u.disabled === 1,
        }));
      });

      r.post('/users', {
        config: { access: ['admin'] },
        schema: {
          tags: ['directory'], summary: 'Create a user account',
          body: Type.Object({
            username: Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }),
            displayName: Type.String({ minLength: 1, maxLength: 100 }),
            departmentId: Type.String({ minLength: 1, maxLength: 64 }),
            role: RoleSchema,
            password: Type.String({ minLength: 12, maxLength: 256 }),
            dutyOfficer: Type.Optional(Type.Boolean()),
          }, { additionalProperties: false }),
          response: responses({ 201: DirectoryUserView }),
        },
      }, async (request, reply) => {
        const body = request.body;
        const department = await ctx.db.selectFrom('departments').select('id').where('id', '=', body.departmentId).executeTakeFirst();
        if (!department) throw badRequest('DEPARTMENT_UNKNOWN', `department ${body.departmentId} does not exist`);
        const taken = await ctx.db.selectFrom('users').select('id').where('username', '=', body.username).executeTakeFirst();
        if (taken) throw conflict('USERNAME_TAKEN', `username "${body.username}" is taken`);
        const id = randomUUID();
        await ctx.db.insertInto('users').values({
          id, username: body.username, display_name: body.displayName, department_id: body.departmentId, role: body.role,
          password_hash: await hashPassword(body.password), duty_officer: body.dutyOfficer ? 1 : 0, disabled: 0, created_at: Date.now(),
        }).execute();
        const admin = requireUser(request);
        await ctx.audit.append({ action: 'config.user.create', userId: admin.id, username: admin.username, departmentId: admin.departmentId, targetType: 'user', targetId: id, clientIp: request.ip, details: { username: body.username, role: body.role, departmentId: body.departmentId } });
        reply.status(201);
        return { id, username: body.username, displayName: body.displayName, departmentId: body.departmentId, role: body.role, dutyOfficer: !!body.dutyOfficer, disabled: false };
      });
    },
  };
}
