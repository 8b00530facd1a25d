import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { TEST_PASSWORD, type TestHub } from '../helpers/test-hub.ts';
import { startLoggedHub, type LogCapture } from './logged-hub.ts';
import { fetchBounded, fillRoute, isStream, redisDump, type SweepIds } from './route-sweep.ts';

const CAMERA_PASSWORD = 'Cam-Pa55-7f3e91';
const URL_CAMERA_PASSWORD = 'UrlCam-Pa55-55aa10';
const NEW_USER_PASSWORD = 'new user password 9c1d44';

/**
 * Every route of the full product, walked from the route table: anonymous → 401; another department's
 * camera, event (pass) and export → 403 or nothing of theirs; and no response, log line, metric or
 * Redis value (BullMQ jobs included) carries a credential, a password, a password hash or a token.
 */
describeEachDatabase('hostile callers on every route', (kind) => {
  let t: TestHub;
  let logs: LogCapture;
  let ids: SweepIds;
  const bodies: string[] = [];

  beforeAll(async () => {
    ({ t, logs } = await startLoggedHub(kind, { overrides: { analytics: { workers: 1 } } }));
    const camera = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'PS gate camera', departmentId: t.departments.ps, category: 'public_security', streamUrl: 'rtsp://127.0.0.1:9/live', username: 'camuser', password: CAMERA_PASSWORD } });
    expect(camera.status).toBe(201);
    const urlCamera = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'PS url camera', departmentId: t.departments.ps, category: 'public_security', streamUrl: `rtsp://urlcam:${URL_CAMERA_PASSWORD}@127.0.0.1:9/live` } });
    bodies.push(JSON.stringify(urlCamera.body));
    const passId = `hostile-${kind}-1`;
    const ingest = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [{ id: passId, cameraId: camera.body.id, passedAt: Date.now() - 60_000, plate: '京PS0001', plateColour: 'blue', plateConfidence: 0.97, charConfidences: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9] }] } });
    expect(ingest.status).toBe(200);
    const user = await t.api('/api/v1/users', { user: t.users.admin, body: { username: 'newcomer', displayName: 'Newcomer', departmentId: t.departments.traffic, role: 'viewer', password: NEW_USER_PASSWORD } });
    expect(user.status).toBe(201);
    bodies.push(JSON.stringify(user.body));
    // Failed logins carry passwords in their bodies too.
    await t.api('/api/v1/auth/login', { body: { username: 'admin', password: `${CAMERA_PASSWORD}-wrong` } });
    ids = { cameraId: camera.body.id, passId, departmentId: t.departments.ps };
  });
  afterAll(async () => { await t?.stop(); });

  it('anonymous and forged callers get 401 on every closed route, HEAD included', async () => {
    const forged = await new SignJWT({ dept: t.departments.ps, role: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setSubject(t.users.admin.id)
      .setIssuer('camera-sharing-hub').setAudience('api').setIssuedAt().setExpirationTime('5m').sign(createSecretKey(Buffer.from('x'.repeat(48))));
    const closed = t.hub.app.routeTable.filter((r) => r.access !== 'public' && r.method !== 'OPTIONS');
    expect(closed.length).toBeGreaterThan(60);
    for (const route of closed) {
      for (const token of [undefined, forged, 'not-a-jwt']) {
        const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
        const res = await fetchBounded(`${t.url}${fillRoute(route, ids)}`, { method: route.method, token, body }, isStream(route.url));
        const allowed = route.access === 'signed-url' ? [400, 401, 403, 404] : [401];
        expect(allowed, `${route.method} ${route.url} (${token ? 'forged' : 'anonymous'}) answered ${res.status}`).toContain(res.status);
        bodies.push(res.text);
      }
    }
  });

  it("refuses another department's camera, events and exports (lookups by event id included)", async () => {
    const intruder = t.users.trafficViewer;
    const cam = ids.cameraId;
    // (Catalogue data, status history included, is visible to every logged-in user by design; media, control and events are not.)
    const refused: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/cameras/${cam}/snapshot`], ['GET', `/api/v1/cameras/${cam}/ptz/presets`],
      ['POST', `/api/v1/cameras/${cam}/ptz/move`, { pan: 0.1, tilt: 0, zoom: 0 }], ['POST', `/api/v1/cameras/${cam}/ptz/stop`, {}],
      ['POST', `/api/v1/cameras/${cam}/play`, { protocol: 'hls' }], ['GET', `/api/v1/analytics/cameras/${cam}/zones`], ['GET', `/api/v1/analytics/cameras/${cam}/crowd`],
      ['GET', `/api/v1/checkpoint/passes/${ids.passId}`], ['GET', `/api/v1/checkpoint/passes/${ids.passId}/crop`], ['GET', `/api/v1/checkpoint/passes/${ids.passId}/scene`],
      // Recordings (issue 16): timeline, playback and evidence export of another department's camera or pass.
      ['GET', `/api/v1/playback/cameras/${cam}/timeline?from=${Date.now() - 3_600_000}&to=${Date.now()}`],
      ['POST', `/api/v1/playback/cameras/${cam}/sessions`, { from: Date.now() - 3_600_000, to: Date.now(), reason: 'looking around' }],
      ['POST', '/api/v1/evidence/exports', { cameraId: cam, from: Date.now() - 120_000, to: Date.now() - 60_000, reason: 'looking around' }],
      ['POST', '/api/v1/evidence/exports', { passId: ids.passId, reason: 'looking around' }],
    ];
    for (const [method, path, body] of refused) {
      const res = await t.api(path, { method, user: intruder, body });
      bodies.push(JSON.stringify(res.body));
      expect([403], `${method} ${path} answered ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
    }
    // Searches and exports: nothing of the other department, whatever the filter.
    for (const path of ['/api/v1/checkpoint/passes?plate=京PS0001', `/api/v1/checkpoint/passes?cameraId=${cam}`, `/api/v1/checkpoint/passes?departmentId=${t.departments.ps}`,
      '/api/v1/checkpoint/export/passes.csv?plate=京PS0001', `/api/v1/checkpoint/export/gat1400?cameraId=${cam}`, '/api/v1/checkpoint/trajectory?plate=京PS0001']) {
      const res = await t.api(encodeURI(path), { user: intruder });
      const text = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      bodies.push(text);
      expect([200, 403, 404], `${path}: ${res.status}`).toContain(res.status);
      expect(text, `${path} leaked the other department's pass`).not.toContain(ids.passId);
      expect(text).not.toContain('PS0001');
    }
    // Access requests by id: a third department sees and decides nothing of a request between two others.
    const request = await t.api('/api/v1/access/requests', { user: intruder, body: { ownerDepartmentId: t.departments.ps, targetKind: 'cameras', cameraIds: [cam], scopes: ['live'], purpose: 'incident 42', legalBasis: 'traffic law art. 1', endsAt: Date.now() + 3_600_000 } });
    expect(request.status).toBe(201);
    const outsider = t.users.communityApprover;
    for (const [method, path, body] of [['GET', `/api/v1/access/requests/${request.body.id}`], ['POST', `/api/v1/access/requests/${request.body.id}/approve`, {}], ['POST', `/api/v1/access/requests/${request.body.id}/reject`, { reason: 'no' }], ['POST', `/api/v1/access/requests/${request.body.id}/cancel`, {}]] as Array<[string, string, unknown?]>) {
      const res = await t.api(path, { method, user: outsider, body });
      bodies.push(JSON.stringify(res.body));
      expect([403, 404], `${method} ${path} by another department answered ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
    }
    // The owner does see it: the refusals above are about the department, not a broken route.
    expect((await t.api(`/api/v1/checkpoint/passes/${ids.passId}`, { user: t.users.psViewer })).status).toBe(200);
  });

  it('no response, log line, metric or Redis value carries a credential, password, hash or token', async () => {
    // Walk every GET route as admin with real ids, so that every view of the secret-bearing rows is produced.
    for (const route of t.hub.app.routeTable.filter((r) => r.method === 'GET')) {
      const res = await fetchBounded(`${t.url}${fillRoute(route, ids)}`, { method: 'GET', token: t.users.admin.token }, isStream(route.url));
      bodies.push(res.text);
    }
    const metrics = await fetchBounded(`${t.url}/metrics`, { method: 'GET', token: t.users.admin.token }, false);
    expect(metrics.status).toBe(200);
    const redis = await redisDump(t.hub.ctx.redis.url!);
    const { config } = t.hub.ctx;
    const secrets: Record<string, string> = {
      'camera password': CAMERA_PASSWORD, 'camera URL password': URL_CAMERA_PASSWORD, 'test user password': TEST_PASSWORD, 'new user password': NEW_USER_PASSWORD,
      'password hash': 'scrypt$', 'token secret': config.auth.tokenSecret, 'encryption key': config.credentials.encryptionKey,
    };
    const places: Record<string, string> = { responses: bodies.join('\n'), metrics: metrics.text, logs: logs.text(), redis: redis.text };
    expect(logs.text().length).toBeGreaterThan(1_000);
    for (const [place, text] of Object.entries(places)) {
      for (const [what, secret] of Object.entries(secrets)) expect(text.includes(secret), `${what} found in ${place}`).toBe(false);
    }
    // Access tokens are credentials too: never in a log line.
    for (const user of Object.values(t.users)) expect(logs.text().includes(user.token), `${user.username}'s token in the log`).toBe(false);
  });

  // Last in the file: it locks this client address out of logins.
  it('slows down password spraying across usernames from one address, not only guessing on one user', async () => {
    const { loginMaxFailures } = t.hub.ctx.config.auth;
    const names = ['psViewer', 'psApprover', 'trafficApprover', 'communityApprover', 'auditor', 'newcomer', 'nobody-1', 'nobody-2'];
    const statuses: number[] = [];
    for (let i = 0; i < loginMaxFailures + 2; i++) {
      const res = await t.api('/api/v1/auth/login', { body: { username: names[i % names.length], password: `spray-${i}` } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, loginMaxFailures - 1).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Even the right password of a user not guessed at is refused from this address while it is locked.
    const right = await t.api('/api/v1/auth/login', { body: { username: 'trafficViewer', password: TEST_PASSWORD } });
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('LOGIN_THROTTLED');
  });
});
