import { createSecretKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

const fill = (url: string) => url.replace(/:(\w+)/g, 'x1').replace('*', 'x');

/** The HTTP status a WebSocket handshake gets (101 when it is accepted). */
function handshakeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { handshakeTimeout: 10_000 });
    socket.on('open', () => { socket.terminate(); resolve(101); });
    socket.on('unexpected-response', (_req, res) => { res.resume(); socket.terminate(); resolve(res.statusCode ?? 0); });
    socket.on('error', reject);
  });
}

describeEachDatabase('deny by default and token handling', (kind) => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub(kind); });
  afterAll(async () => { await t?.stop(); });

  it('every route declares its access, and every non-public route refuses an anonymous call', async () => {
    const table = t.hub.app.routeTable;
    expect(table.length).toBeGreaterThan(10);
    const closed = table.filter((route) => route.access !== 'public' && route.method !== 'HEAD' && route.method !== 'OPTIONS');
    expect(closed.length).toBeGreaterThan(5);
    for (const route of closed) {
      const result = await t.api(fill(route.url), { method: route.method, body: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined });
      const expected = route.access === 'signed-url' ? [400, 401, 403, 404] : [401];
      expect(expected, `${route.method} ${route.url} answered ${result.status}`).toContain(result.status);
    }
  });

  it('no closed route completes an anonymous WebSocket handshake (the WS-FLV route included)', async () => {
    const gets = t.hub.app.routeTable.filter((route) => route.access !== 'public' && route.method === 'GET');
    expect(gets.some((route) => route.url.startsWith('/media/wsflv/'))).toBe(true);
    for (const route of gets) {
      const status = await handshakeStatus(`${t.url.replace(/^http/, 'ws')}${fill(route.url)}`);
      const expected = route.access === 'signed-url' ? [400, 401, 403, 404] : [401];
      expect(expected, `WebSocket to ${route.url} answered ${status}`).toContain(status);
    }
  });

  it('role-restricted routes refuse other roles with 403', async () => {
    const adminOnly = t.hub.app.routeTable.filter((route) => Array.isArray(route.access) && route.access.length === 1 && route.access[0] === 'admin' && route.method === 'GET');
    expect(adminOnly.length).toBeGreaterThan(0);
    for (const route of adminOnly) {
      const result = await t.api(fill(route.url), { user: t.users.psViewer });
      expect(result.status, `${route.method} ${route.url}`).toBe(403);
      expect(result.body.code).toBe('ROLE_REQUIRED');
    }
  });

  it('refuses alg=none, a wrong issuer, an expired token and a token in the query string', async () => {
    const me = (headers: Record<string, string>, query = '') => t.api(`/api/v1/auth/me${query}`, { headers });
    const unsigned = new UnsecuredJWT({ dept: t.departments.ps, role: 'admin' }).setSubject(t.users.admin.id).setIssuer('camera-sharing-hub').setAudience('api').setIssuedAt().setExpirationTime('5m').encode();
    expect((await me({ authorization: `Bearer ${unsigned}` })).status).toBe(401);
    const forged = await new SignJWT({ dept: t.departments.ps, role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject(t.users.admin.id)
      .setIssuer('someone-else').setAudience('api').setIssuedAt().setExpirationTime('5m').sign(createSecretKey(Buffer.from(t.hub.ctx.config.auth.tokenSecret)));
    expect((await me({ authorization: `Bearer ${forged}` })).status).toBe(401);
    const expired = await t.hub.ctx.tokens.issue({ id: t.users.admin.id, username: 'admin', departmentId: t.departments.ps, role: 'admin', dutyOfficer: false }, 'api', -10);
    const expiredResult = await me({ authorization: `Bearer ${expired.token}` });
    expect(expiredResult.status).toBe(401);
    expect(expiredResult.body.code).toBe('TOKEN_EXPIRED');
    expect((await me({}, `?token=${t.users.admin.token}`)).status).toBe(401);
    expect((await me({}, `?access_token=${t.users.admin.token}`)).status).toBe(401);
    expect((await me({ authorization: `Bearer ${t.users.admin.token}` })).status).toBe(200);
  });

  it('slows down password guessing', async () => {
    for (let i = 0; i < 5; i++) {
      const result = await t.api('/api/v1/auth/login', { body: { username: 'trafficViewer', password: `wrong-${i}` } });
      expect(result.status).toBe(401);
      expect(result.body.code).toBe('LOGIN_FAILED');
    }
    const locked = await t.api('/api/v1/auth/login', { body: { username: 'trafficViewer', password: 'correct horse battery staple' } });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('LOGIN_THROTTLED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers bad bodies with stable codes: malformed JSON, oversized, unknown fields, cross-origin writes', async () => {
    const post = (body: string, headers: Record<string, string> = {}) => fetch(`${t.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const malformed = await post('{"username": ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).code).toBe('JSON_INVALID');
    const huge = await post(JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) }));
    expect(huge.status).toBe(413);
    expect((await huge.json()).code).toBe('BODY_TOO_LARGE');
    const extra = await post(JSON.stringify({ username: 'a', password: 'b', admin: true }));
    expect(extra.status).toBe(400);
    expect((await extra.json()).code).toBe('VALIDATION_FAILED');
    const crossOrigin = await post(JSON.stringify({ username: 'admin', password: 'correct horse battery staple' }), { origin: 'http://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect((await crossOrigin.json()).code).toBe('CROSS_ORIGIN_REFUSED');
  });

  it('serves an OpenAPI document listing the routes', async () => {
    const doc = await t.api('/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/cameras');
  });
});
