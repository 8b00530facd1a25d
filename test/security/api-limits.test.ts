import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub, type TestUser } from '../helpers/test-hub.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET with a chosen Host header (fetch does not let us set it). */
function getWithHost(t: TestHub, path: string, host: string): Promise<{ status: number; code?: string }> {
  const { port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: text.startsWith('{') ? (JSON.parse(text) as { code?: string }).code : undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openStream(t: TestHub, user: TestUser, controllers: AbortController[]) {
  const controller = new AbortController();
  controllers.push(controller);
  return fetch(`${t.url}/api/v1/access/notifications/stream`, { headers: { authorization: `Bearer ${user.token}` }, signal: controller.signal });
}

// These limits do not depend on the database: SQLite only.
describe('API-wide rate limit', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite', { features: ['auth', 'directory'], overrides: { http: { rateLimitPerMinute: 40 } } });
  });
  afterAll(async () => { await t?.stop(); });

  it('security #14: API requests are rate-limited per user (429 RATE_LIMITED) without starving other users', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await t.api('/api/v1/auth/me', { user: t.users.trafficViewer })).status);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    const limited = await t.api('/api/v1/auth/me', { user: t.users.trafficViewer });
    expect([limited.status, limited.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect((await t.api('/api/v1/auth/me', { user: t.users.psViewer })).status).toBe(200);
  });

});

describe('event-stream cap and revocation (default config)', () => {
  let t: TestHub;
  const controllers: AbortController[] = [];
  beforeAll(async () => { t = await startTestHub('sqlite', { features: ['auth', 'directory', 'audit', 'access', 'cameras'] }); });
  afterAll(async () => {
    for (const c of controllers) c.abort();
    await t?.stop();
  });

  it('security #14: one user holds at most http.maxEventStreamsPerUser open event streams', async () => {
    const cap = t.hub.ctx.config.http.maxEventStreamsPerUser;
    const open = await Promise.all(Array.from({ length: cap }, () => openStream(t, t.users.communityApprover, controllers)));
    expect(open.map((r) => r.status)).toEqual(Array(cap).fill(200));
    const over = await openStream(t, t.users.communityApprover, controllers);
    expect(over.status).toBe(429);
    expect(((await over.json()) as { code: string }).code).toBe('TOO_MANY_EVENT_STREAMS');
    // Closing one frees its place.
    controllers[0]!.abort();
    await sleep(200);
    expect((await openStream(t, t.users.communityApprover, controllers)).status).toBe(200);
  });

  it('security #14: disabling a user or lowering their role takes effect on tokens already issued', async () => {
    const db = t.hub.ctx.db;
    expect((await t.api('/api/v1/auth/me', { user: t.users.psApprover })).status).toBe(200);
    await db.updateTable('users').set({ role: 'viewer' }).where('id', '=', t.users.psApprover.id).execute();
    await db.updateTable('users').set({ disabled: 1 }).where('id', '=', t.users.trafficApprover.id).execute();
    await sleep(t.hub.ctx.config.auth.userRecheckSeconds * 1_000 + 100);
    const demoted = await t.api('/api/v1/auth/me', { user: t.users.psApprover });
    expect([demoted.status, demoted.body.code]).toEqual([401, 'TOKEN_REVOKED']);
    const disabled = await t.api('/api/v1/auth/me', { user: t.users.trafficApprover });
    expect([disabled.status, disabled.body.code]).toEqual([401, 'TOKEN_REVOKED']);
  });
});

describe('Host header check', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub('sqlite', { features: ['auth', 'directory'], overrides: { http: { publicUrl: 'https://hub.example.test' } } }); });
  afterAll(async () => { await t?.stop(); });

  it('security #14: with http.publicUrl set, a request for another Host is refused', async () => {
    expect(await getWithHost(t, '/api/v1/openapi.json', 'evil.example')).toEqual({ status: 421, code: 'HOST_NOT_ALLOWED' });
    expect((await getWithHost(t, '/api/v1/openapi.json', 'hub.example.test')).status).toBe(200);
    expect((await getWithHost(t, '/api/v1/openapi.json', 'HUB.example.test:443')).status).toBe(200);
    // The address the connection arrived at (health checks by IP) is accepted too.
    expect((await getWithHost(t, '/api/v1/openapi.json', new URL(t.url).host)).status).toBe(200);
  });
});
