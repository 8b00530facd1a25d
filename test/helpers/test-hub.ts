import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../api/hub/load-config.ts';
import { Hub } from '../../api/hub/hub.ts';
import type { FeatureName } from '../../api/hub/hub-services.ts';
import type { Role } from '../../api/kernel/db/tables/index.ts';
import { createScratchDatabase, type DatabaseKind, type ScratchDatabase } from './databases.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  username: string;
  departmentId: string;
  role: Role;
  token: string;
}

export interface TestHub {
  hub: Hub;
  url: string;
  database: ScratchDatabase;
  /** Departments created for the test: ps (public security), traffic, community. */
  departments: { ps: string; traffic: string; community: string };
  /** Logged-in users: admin, psViewer, psApprover, trafficViewer, trafficApprover, communityApprover, auditor. */
  users: Record<'admin' | 'psViewer' | 'psApprover' | 'trafficViewer' | 'trafficApprover' | 'communityApprover' | 'auditor', TestUser>;
  /** fetch against the hub with an optional user's bearer token; JSON in and out. */
  api(path: string, init?: { method?: string; body?: unknown; user?: TestUser; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  login(username: string, password?: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartTestHubOptions {
  overrides?: Record<string, unknown>;
  features?: readonly FeatureName[];
  /** Extra environment for loadConfig (HUB_* names). */
  env?: Record<string, string>;
}

/** JSON calls to the hub at `url`, as a user (bearer token) or anonymous; the body parsed when it is JSON. */
export function hubApi(url: string): TestHub['api'] {
  return async (path, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.user) headers.authorization = `Bearer ${init.user.token}`;
    const response = await fetch(`${url}${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await response.text();
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: response.status, body, headers: response.headers };
  };
}

/** A real hub on a scratch database, listening on a free loopback port, with users in three departments. */
export async function startTestHub(kind: DatabaseKind, options: StartTestHubOptions = {}): Promise<TestHub> {
  const database = await createScratchDatabase(kind);
  const config = loadConfig({
    env: options.env ?? {},
    overrides: deepMerge({
      dataDir: database.dataDir,
      // Test cameras, ONVIF devices and webhook receivers all live on loopback (tests of the outbound guard override this).
      http: { host: '127.0.0.1', port: 0, outboundAllowedNetworks: ['127.0.0.0/8', '::1/128'] },
      database: { url: database.url },
      auth: { tokenSecret: randomBytes(32).toString('base64url') },
      credentials: { encryptionKey: randomBytes(32).toString('base64url') },
      audit: { chainKey: randomBytes(32).toString('base64url') },
      admin: { username: 'admin', password: TEST_PASSWORD },
      log: { level: process.env.HUB_TEST_LOG ? 'debug' : 'silent' },
      shutdown: { graceMs: 5_000 },
    }, options.overrides ?? {}),
  });
  let hub: Hub;
  try {
    hub = await Hub.start({ config, features: options.features, logger: pino({ level: config.log.level }) });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const url = hub.url;
  const api = hubApi(url);
  const login = async (username: string, password = TEST_PASSWORD) => {
    const result = await api('/api/v1/auth/login', { body: { username, password } });
    if (result.status !== 200) throw new Error(`login ${username} failed: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body.token as string;
  };

  const db = hub.ctx.db;
  const { directory } = hub.ctx;
  const departments = {
    ps: (await directory.createDepartment({ name: 'Public Security Bureau', kind: 'public_security', isGovernment: true })).id,
    traffic: (await directory.createDepartment({ name: 'Traffic Police', kind: 'traffic', isGovernment: true })).id,
    community: (await directory.createDepartment({ name: 'Riverside Community', kind: 'community', isGovernment: false })).id,
  };
  const specs: Array<[keyof TestHub['users'], string, Role, number]> = [
    ['psViewer', departments.ps, 'viewer', 1], ['psApprover', departments.ps, 'approver', 0],
    ['trafficViewer', departments.traffic, 'viewer', 0], ['trafficApprover', departments.traffic, 'approver', 0],
    ['communityApprover', departments.community, 'approver', 0], ['auditor', departments.ps, 'auditor', 0],
  ];
  // Hashed in parallel (scrypt runs on the thread pool) to keep hub start-up short.
  await Promise.all(specs.map(([username, departmentId, role, duty]) =>
    directory.createUser({ username, displayName: username, departmentId, role, password: TEST_PASSWORD, dutyOfficer: duty === 1 })));
  const users = {} as TestHub['users'];
  for (const username of ['admin', ...specs.map((s) => s[0])] as Array<keyof TestHub['users']>) {
    const row = await db.selectFrom('users').select(['id', 'department_id', 'role']).where('username', '=', username).executeTakeFirstOrThrow();
    users[username] = { id: row.id, username, departmentId: row.department_id, role: row.role, token: await login(username) };
  }

  return {
    hub, url, database, departments, users, api, login,
    stop: async () => {
      await hub.stop();
      await database.drop();
    },
  };
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = out[key];
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && existing && typeof existing === 'object'
      ? deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}
