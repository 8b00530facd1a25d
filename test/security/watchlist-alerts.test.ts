import { afterAll, beforeAll, expect, it } from 'vitest';
import { addCamera, addGrant, pass } from '../checkpoint/checkpoint-fixtures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub, type TestUser } from '../helpers/test-hub.ts';

const SECRET_REASON = 'informant tip, case 2026-041: do not stop, follow';

/** Collects every `event: alert` payload of one user's SSE stream. */
function collectAlerts(t: TestHub, user: TestUser) {
  const controller = new AbortController();
  const alerts: any[] = [];
  const ready = fetch(`${t.url}/api/v1/checkpoint/alerts/stream`, { headers: { authorization: `Bearer ${user.token}` }, signal: controller.signal });
  const done = (async () => {
    const reader = (await ready).body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: ended } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (ended) return;
      buffer += decoder.decode(value, { stream: true });
      let boundary;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.includes('event: alert') && data) alerts.push(JSON.parse(data.slice(6)));
      }
    }
  })();
  return { ready, alerts, close: async () => { controller.abort(); await done; } };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachDatabase('watchlist alerts belong to the watchlist owner', (kind) => {
  let t: TestHub;
  let psShared: string;
  let psHidden: string;

  beforeAll(async () => {
    t = await startTestHub(kind);
    // ps owns two cameras; traffic sees the events of one of them through a grant.
    psShared = await addCamera(t, t.departments.ps, { category: 'public_security' });
    psHidden = await addCamera(t, t.departments.ps, { category: 'public_security' });
    await addGrant(t, t.departments.ps, t.departments.traffic, [psShared], ['events']);
  });
  afterAll(async () => { await t?.stop(); });

  it('security #1: a watchlist hit reaches only the owner department (even on a granted camera), never leaks its reason, and only the owner acknowledges it', async () => {
    const trafficStream = collectAlerts(t, t.users.trafficViewer);
    const psStream = collectAlerts(t, t.users.psViewer);
    await Promise.all([trafficStream.ready, psStream.ready]);
    await until(() => (t.hub.ctx.events.listenerCount('checkpoint.alert') >= 2 ? true : undefined), 'streams subscribed');

    const watch = await t.api('/api/v1/checkpoint/watchlist', {
      user: t.users.trafficApprover, body: { plate: '京W00001', matchKind: 'exact', reason: SECRET_REASON, validUntil: Date.now() + 3_600_000 },
    });
    expect(watch.status).toBe(201);
    const now = Date.now();
    // One pass on the ps camera traffic may see (grant, scope events), one on a ps camera traffic may not see.
    await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [pass(psShared, '京W00001', now), pass(psHidden, '京W00001', now + 1)] } });

    // The owner department gets the alert on the granted camera, live and in its list; nothing about the hidden camera.
    const live = await until(() => trafficStream.alerts[0], 'owner alert on the stream');
    expect(live).toMatchObject({ plate: '京W00001', cameraId: psShared, reason: SECRET_REASON, watchlistId: watch.body.id });
    const trafficList = (await t.api('/api/v1/checkpoint/alerts', { user: t.users.trafficViewer })).body;
    expect(trafficList.map((a: any) => [a.cameraId, a.reason])).toEqual([[psShared, SECRET_REASON]]);
    const stored = await t.hub.ctx.db.selectFrom('checkpoint_alerts').select('camera_id').where('watchlist_id', '=', watch.body.id).execute();
    expect(stored.map((a) => a.camera_id)).toEqual([psShared]);

    // The camera's owner (ps) sees neither the alert nor the reason: not in its list, not on its stream.
    // A ps watchlist hit afterwards shows the ps stream is live and got only that one.
    const psWatch = await t.api('/api/v1/checkpoint/watchlist', {
      user: t.users.psApprover, body: { plate: '京P00009', matchKind: 'exact', reason: 'ps own case', validUntil: Date.now() + 3_600_000 },
    });
    expect(psWatch.status).toBe(201);
    await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [pass(psShared, '京P00009', Date.now())] } });
    await until(() => psStream.alerts.find((a) => a.plate === '京P00009'), 'ps own alert on the ps stream');
    expect(psStream.alerts.map((a) => a.plate)).toEqual(['京P00009']);
    expect(JSON.stringify(psStream.alerts)).not.toContain(SECRET_REASON);
    const psList = (await t.api('/api/v1/checkpoint/alerts', { user: t.users.psViewer })).body;
    expect(psList.map((a: any) => a.plate)).toEqual(['京P00009']);
    expect(JSON.stringify(psList)).not.toContain(SECRET_REASON);
    // traffic sees the ps camera's events but not ps's watchlist hit on it.
    expect((await t.api('/api/v1/checkpoint/alerts', { user: t.users.trafficViewer })).body.map((a: any) => a.plate)).toEqual(['京W00001']);
    expect(trafficStream.alerts.map((a) => a.plate)).toEqual(['京W00001']);

    // Only the owner department acknowledges; admins see every alert.
    expect((await t.api(`/api/v1/checkpoint/alerts/${live.id}/ack`, { user: t.users.psViewer, body: {} })).status).toBe(403);
    expect((await t.api(`/api/v1/checkpoint/alerts/${live.id}/ack`, { user: t.users.psApprover, body: {} })).status).toBe(403);
    expect((await t.api(`/api/v1/checkpoint/alerts/${live.id}/ack`, { user: t.users.trafficViewer, body: { note: 'following' } })).status).toBe(200);
    expect((await t.api('/api/v1/checkpoint/alerts', { user: t.users.admin })).body.map((a: any) => a.plate).sort()).toEqual(['京P00009', '京W00001']);

    await Promise.all([trafficStream.close(), psStream.close()]);
  });
});
