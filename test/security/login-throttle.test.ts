import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../api/hub/load-config.ts';
import { loginFrom } from '../helpers/login-from.ts';
import { startTestHub, TEST_PASSWORD, type TestHub } from '../helpers/test-hub.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MAX_FAILURES = 3;

// Throttling does not depend on the database: SQLite only. Every test uses its own source addresses and users.
describe('login throttling per account and per source', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub('sqlite', { overrides: { auth: { loginMaxFailures: MAX_FAILURES } } }); });
  afterAll(async () => { await t?.stop(); });

  it("security #5: another account's successful login does not reset the source's failures (no unlimited spraying)", async () => {
    const source = '127.0.0.11';
    const statuses: number[] = [];
    // Spraying: a wrong guess on another name, then the sprayer's own valid account, over and over.
    for (let i = 0; i < MAX_FAILURES; i++) {
      statuses.push((await loginFrom(t, source, `nobody-${i}`, `spray-${i}`)).status);
      statuses.push((await loginFrom(t, source, 'psViewer', TEST_PASSWORD)).status);
    }
    const next = await loginFrom(t, source, 'nobody-x', 'spray-x');
    expect(statuses.slice(0, 2 * MAX_FAILURES - 1)).toEqual([401, 200, 401, 200, 401].slice(0, 2 * MAX_FAILURES - 1));
    expect([next.status, next.code]).toEqual([429, 'LOGIN_THROTTLED']);
  });

  it('security #5: failures against an account slow down its attacker with a growing delay, not a lockout of its owner', async () => {
    const owner = '127.0.0.21';
    const attacker = '127.0.0.22';
    const ownerElsewhere = '127.0.0.23';
    expect((await loginFrom(t, owner, 'trafficApprover', TEST_PASSWORD)).status).toBe(200);
    for (let i = 0; i < MAX_FAILURES; i++) expect((await loginFrom(t, attacker, 'trafficApprover', `guess-${i}`)).status).toBe(401);
    const first = await loginFrom(t, attacker, 'trafficApprover', 'guess-x');
    expect([first.status, first.code]).toEqual([429, 'LOGIN_THROTTLED']);
    // From a new address the owner would wait a short backoff, not loginLockSeconds (300 s)...
    const { loginBackoffSeconds, loginLockSeconds } = t.hub.ctx.config.auth;
    const fresh = await loginFrom(t, ownerElsewhere, 'trafficApprover', TEST_PASSWORD);
    expect([fresh.status, fresh.code]).toEqual([429, 'LOGIN_THROTTLED']);
    expect(fresh.retryAfter, 'a lockout, not a backoff').toBeLessThan(10);
    expect(fresh.retryAfter).toBeLessThanOrEqual(loginBackoffSeconds);
    // ...and from where they logged in before, they are not kept out at all.
    expect((await loginFrom(t, owner, 'trafficApprover', TEST_PASSWORD)).status).toBe(200);
    // The attacker's own waits grow: first the backoff, then double after the next failure.
    expect(first.retryAfter).toBeGreaterThan(0);
    expect(first.retryAfter).toBeLessThanOrEqual(loginBackoffSeconds);
    await sleep(first.retryAfter * 1000 + 100);
    expect((await loginFrom(t, attacker, 'trafficApprover', 'guess-y')).status).toBe(401);
    const second = await loginFrom(t, attacker, 'trafficApprover', 'guess-z');
    expect(second.status).toBe(429);
    expect(second.retryAfter).toBeGreaterThan(first.retryAfter);
    expect(second.retryAfter).toBeLessThan(loginLockSeconds);
  });
});

describe('login throttling behind a trusted proxy', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub('sqlite', { overrides: { auth: { loginMaxFailures: MAX_FAILURES } }, env: { HUB_HTTP_TRUST_PROXY: '127.0.0.1,10.0.0.0/8' } }); });
  afterAll(async () => { await t?.stop(); });

  it('security #5: behind an allowlisted proxy each client is its own source (one NAT does not lock out a station); X-Forwarded-For from anyone else is ignored', async () => {
    expect(t.hub.ctx.config.http.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8']);
    const viaProxy = (client: string, username: string, password: string) => loginFrom(t, '127.0.0.1', username, password, { 'x-forwarded-for': client });
    for (let i = 0; i < MAX_FAILURES; i++) expect((await viaProxy('192.0.2.10', `nobody-${i}`, 'wrong')).status).toBe(401);
    expect((await viaProxy('192.0.2.10', 'nobody-x', 'wrong')).status).toBe(429);
    // Colleagues behind the same proxy are not affected.
    expect((await viaProxy('192.0.2.11', 'nobody-y', 'wrong')).status).toBe(401);
    expect((await viaProxy('192.0.2.12', 'psApprover', TEST_PASSWORD)).status).toBe(200);
    // A peer that is not an allowlisted proxy cannot pick a fresh source per try with the header.
    for (let i = 0; i < MAX_FAILURES; i++) expect((await loginFrom(t, '127.0.0.31', `nobody-${i}`, 'wrong', { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(401);
    expect((await loginFrom(t, '127.0.0.31', 'nobody-z', 'wrong', { 'x-forwarded-for': '198.51.100.99' })).status).toBe(429);
  });

  it('security #5: http.trustProxy is false by default, takes a comma list from HUB_HTTP_TRUST_PROXY, and refuses anything but addresses and CIDRs', () => {
    const secrets = { HUB_AUTH_TOKEN_SECRET: 'k3J9x-Qm2vT8wLp4Zr7NcYb1Hd6Fs0Ug', HUB_CREDENTIALS_ENCRYPTION_KEY: 'Wq5Er8Ty1Ui4Op7As2Df6Gh9Jk3Lz0Xc', HUB_AUDIT_CHAIN_KEY: 'Zx8Cv5Bn2Mq7Wr4Ty1Up6As3Df9Gh0Jk' };
    expect(loadConfig({ env: secrets }).http.trustProxy).toBe(false);
    expect(loadConfig({ env: { ...secrets, HUB_HTTP_TRUST_PROXY: 'false' } }).http.trustProxy).toBe(false);
    expect(loadConfig({ env: { ...secrets, HUB_HTTP_TRUST_PROXY: ' 127.0.0.1 , ::1,fd00::/8 ' } }).http.trustProxy).toEqual(['127.0.0.1', '::1', 'fd00::/8']);
    for (const bad of ['true', '10.0.0.0/33', 'proxy.example']) {
      expect(() => loadConfig({ env: { ...secrets, HUB_HTTP_TRUST_PROXY: bad } }), bad).toThrow(/http\.trustProxy/);
    }
  });
});
