import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pingRedis, redisAuthOf } from '../../api/kernel/redis/private-redis.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

// Found while closing #10: the private Redis (queued passes and frames) took any local user's commands.
describe('security: the private Redis asks for a password no other local user can read', () => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub('sqlite', { features: ['auth', 'directory'] }); });
  afterAll(async () => { await t?.stop(); });

  it('refuses commands without the password and answers with it; the password is in no argv and in a 0600 file', async () => {
    const url = new URL(t.hub.ctx.redis.url!);
    const port = Number(url.port);
    expect(await pingRedis(port)).toBe(false);
    expect(await pingRedis(port, '127.0.0.1', 500, { password: 'guessed-password' })).toBe(false);
    expect(await pingRedis(port, '127.0.0.1', 500, redisAuthOf(url))).toBe(true);

    const password = redisAuthOf(url)!.password;
    const pid = (t.hub as unknown as { redis: { process: { pid?: number } } }).redis.process.pid!;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(password);
    const configFile = join(t.hub.ctx.dataDir, 'redis', 'redis.conf');
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
  });

  it('readiness still sees Redis through the password', async () => {
    const ready = await t.api('/readyz');
    expect(ready.body.checks.find((check: { name: string }) => check.name === 'redis')).toMatchObject({ ok: true });
  });
});
