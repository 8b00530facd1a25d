import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

describeEachDatabase('hub start-up', (kind) => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub(kind); });
  afterAll(async () => { await t?.stop(); });

  it('serves health, readiness and login', async () => {
    expect((await t.api('/healthz')).body.status).toBe('ok');
    const ready = await t.api('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.ready).toBe(true);
    const me = await t.api('/api/v1/auth/me', { user: t.users.psViewer });
    expect(me.status).toBe(200);
    expect(me.body.departmentName).toBe('Public Security Bureau');
  });

  it('answers an unknown route with 404 {code, message}, for anonymous callers too', async () => {
    const missing = await t.api('/api/v1/no-such-route');
    expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(typeof missing.body.message).toBe('string');
  });

  it('sends a browser opening the hub URL to the player (the URL the demo prints)', async () => {
    const root = await fetch(`${t.url}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/player/']);
  });
});
