import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HubError, unauthorized } from '../kernel/errors/hub-error.ts';
import { responses } from '../kernel/http/common-schemas.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { HubFeature } from '../kernel/hub-feature.ts';
import { LoginThrottle } from './login-throttle.ts';
import { hashPassword, verifyPassword } from '../kernel/auth/password.ts';
import { requireUser } from '../kernel/http/route-access.ts';

export const UserView = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  departmentId: Type.String(),
  departmentName: Type.String(),
  role: Type.String(),
  dutyOfficer: Type.Boolean(),
});

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

/** Login with short-lived bearer tokens; failures are throttled and audited. */
export function createAuthFeature(ctx: HubContext): HubFeature {
  const { auth } = ctx.config;
  const throttle = new LoginThrottle({
    freeFailures: auth.loginMaxFailures, backoffMs: auth.loginBackoffSeconds * 1000,
    maxDelayMs: auth.loginLockSeconds * 1000, windowMs: auth.loginFailureWindowSeconds * 1000,
  });
  // Unknown users cost the same scrypt as known ones, so timing does not reveal which usernames exist.
  const dummyHash = hashPassword('not-a-real-password');

  const loadUserView = async (userId: string) => {
    const row = await ctx.db
      .selectFrom('users')
      .innerJoin('departments', 'departments.id', 'users.department_id')
      .select(['users.id', 'users.username', 'users.display_name', 'users.department_id', 'departments.name as department_name', 'users.role', 'users.duty_officer', 'users.disabled', 'users.password_hash'])
      .where('users.id', '=', userId)
      .executeTakeFirst();
    return row;
  };

  return {
    name: 'auth',
    registerRoutes(app) {
      const r = app.withTypeProvider<TypeBoxTypeProvider>();
      r.post('/auth/login', {
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Log in with username and password; returns a short-lived bearer token',
          body: LoginBody,
          response: responses({ 200: Type.Object({ token: Type.String(), expiresAt: Type.Integer(), user: UserView }) }),
        },
      }, async (request, reply) => {
        const { username, password } = request.body;
        // request.ip is the peer, or the client named by a trusted proxy (http.trustProxy): one per person behind it.
        const account = username.toLowerCase();
        const wait = throttle.retryAfter(account, request.ip);
        if (wait > 0) {
          reply.header('retry-after', Math.ceil(wait / 1000));
          throw new HubError('LOGIN_THROTTLED', 'too many failed logins; try again later', 429);
        }
        const attempt = throttle.begin(account, request.ip);
        const found = await ctx.db.selectFrom('users').select(['id', 'password_hash', 'disabled']).where('username', '=', username).executeTakeFirst();
        const valid = await verifyPassword(password, found?.password_hash ?? (await dummyHash));
        if (!found || !valid || found.disabled) {
          await ctx.audit.append({ action: 'auth.login', result: 'denied', username, userId: found?.id ?? null, clientIp: request.ip, reason: found?.disabled ? 'account disabled' : 'wrong username or password' });
          throw unauthorized('LOGIN_FAILED', 'wrong username or password');
        }
        throttle.succeeded(attempt);
        const row = (await loadUserView(found.id))!;
        const user = { id: row.id, username: row.username, departmentId: row.department_id, role: row.role, dutyOfficer: row.duty_officer === 1 };
        const { token, expiresAt } = await ctx.tokens.issue(user);
        await ctx.audit.append({ action: 'auth.login', userId: row.id, username: row.username, departmentId: row.department_id, clientIp: request.ip });
        return {
          token,
          expiresAt,
          user: { ...user, displayName: row.display_name, departmentName: row.department_name },
        };
      });

      r.get('/auth/me', {
        config: { access: 'user' },
        schema: { tags: ['auth'], summary: 'The logged-in user', response: responses({ 200: UserView }) },
      }, async (request) => {
        const row = await loadUserView(requireUser(request).id);
        if (!row || row.disabled) throw unauthorized('AUTH_REQUIRED', 'account no longer exists or is disabled');
        return {
          id: row.id, username: row.username, displayName: row.display_name, departmentId: row.department_id,
          departmentName: row.department_name, role: row.role, dutyOfficer: row.duty_officer === 1,
        };
      });
    },
  };
}
