import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_LOG_PATHS } from '../../api/hub/http-app.ts';
import { loadConfig } from '../../api/hub/load-config.ts';
import type { Role } from '../../api/kernel/db/tables/index.ts';
import { Hub } from '../../api/hub/hub.ts';
import type { FeatureName } from '../../api/hub/hub-services.ts';
import { createScratchDatabase, type DatabaseKind } from '../helpers/databases.ts';
import { TEST_PASSWORD, type TestHub } from '../helpers/test-hub.ts';

/** Everything the hub logged, as text: scanned for credentials, password hashes and tokens. */
export class LogCapture {
  private readonly chunks: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      this.chunks.push(chunk.toString('utf8'));
      done();
    },
  });

  text(): string {
    return this.chunks.join('');
  }
}

type UserName = keyof TestHub['users'];

/**
 * Like startTestHub (same departments and users), but with the production logger configuration (the
 * redaction paths Hub.start uses) at debug level, writing into a capture instead of stdout; the shared
 * helper has no logger seam.
 */
export async function startLoggedHub(kind: DatabaseKind, o: { overrides?: Record<string, unknown>; features?: readonly FeatureName[] } = {}): Promise<{ t: TestHub; logs: LogCapture }> {
  const logs = new LogCapture();
  const logger = pino({ level: 'debug', redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }, logs.stream);
  const database = await createScratchDatabase(kind);
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: database.dataDir, http: { host: '127.0.0.1', port: 0 }, database: { url: database.url },
      auth: { tokenSecret: randomBytes(32).toString('base64url') }, credentials: { encryptionKey: randomBytes(32).toString('base64url') },
      admin: { username: 'admin', password: TEST_PASSWORD }, log: { level: 'debug' }, shutdown: { graceMs: 5_000 }, ...o.overrides,
    },
  });
  const hub = await Hub.start({ config, features: o.features, logger }).catch(async (error) => { await database.drop(); throw error; });
  const url = hub.url;
  const api: TestHub['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.user) headers.authorization = `Bearer ${init.user.token}`;
    const response = await fetch(`${url}${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), signal: AbortSignal.timeout(20_000) });
    const text = await response.text();
    let body: unknown = text;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: response.status, body, headers: response.headers };
  };
  const login = async (username: string, password = TEST_PASSWORD) => {
    const result = await api('/api/v1/auth/login', { body: { username, password } });
    if (result.status !== 200) throw new Error(`login ${username} failed: ${result.status}`);
    return result.body.token as string;
  };
  const db = hub.ctx.db;
  const { directory } = hub.ctx;
  const departments = {
    ps: (await directory.createDepartment({ name: 'Public Security Bureau', kind: 'public_security', isGovernment: true })).id,
    traffic: (await directory.createDepartment({ name: 'Traffic Police', kind: 'traffic', isGovernment: true })).id,
    community: (await directory.createDepartment({ name: 'Riverside Community', kind: 'community', isGovernment: false })).id,
  };
  const specs: Array<[UserName, string, Role]> = [
    ['psViewer', departments.ps, 'viewer'], ['psApprover', departments.ps, 'approver'], ['trafficViewer', departments.traffic, 'viewer'],
    ['trafficApprover', departments.traffic, 'approver'], ['communityApprover', departments.community, 'approver'], ['auditor', departments.ps, 'auditor'],
  ];
  // Hashed in parallel (scrypt runs on the thread pool) to keep hub start-up short.
  await Promise.all(specs.map(([username, departmentId, role]) => directory.createUser({ username, displayName: username, departmentId, role, password: TEST_PASSWORD })));
  const users = {} as TestHub['users'];
  for (const username of ['admin', ...specs.map((s) => s[0])] as UserName[]) {
    const row = await db.selectFrom('users').select(['id', 'department_id', 'role']).where('username', '=', username).executeTakeFirstOrThrow();
    users[username] = { id: row.id, username, departmentId: row.department_id, role: row.role, token: await login(username) };
  }
  const t: TestHub = { hub, url, database, departments, users, api, login, stop: async () => { await hub.stop(); await database.drop(); } };
  return { t, logs };
}
