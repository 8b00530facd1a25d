import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireUser } from '../kernel/http/route-access.ts';
import { responses } from '../kernel/http/common-schemas.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
import type { DirectoryActor } from './directory-service.ts';

const DepartmentKind = Type.Union(['public_security', 'traffic', 'community', 'government_other', 'other'].map((k) => Type.Literal(k)));
const RoleSchema = Type.Union(['admin', 'approver', 'viewer', 'auditor'].map((r) => Type.Literal(r)));

const DepartmentView = Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String(), isGovernment: Type.Boolean() });
const DirectoryUserView = Type.Object({
  id: Type.String(), username: Type.String(), displayName: Type.String(), departmentId: Type.String(),
  role: Type.String(), dutyOfficer: Type.Boolean(), disabled: Type.Boolean(),
});

function actorOf(request: FastifyRequest): DirectoryActor {
  const admin = requireUser(request);
  return { id: admin.id, username: admin.username, departmentId: admin.departmentId, clientIp: request.ip };
}

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
        const { id } = await ctx.directory.createDepartment({ name, kind, isGovernment }, actorOf(request));
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
        const { id } = await ctx.directory.createUser(body, actorOf(request));
        reply.status(201);
        return { id, username: body.username, displayName: body.displayName, departmentId: body.departmentId, role: body.role, dutyOfficer: !!body.dutyOfficer, disabled: false };
      });
    },
  };
}
