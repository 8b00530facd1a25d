import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceCode, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { PEER_PASSWORD, until } from './viid-fixtures.ts';
import { ScriptedLowerPeer, type SeenRequest } from './scripted-lower-peer.ts';

// Downward subscriptions against lower platforms that refuse: the cancel falls back to PUT OperateType 1
// when DELETE is not there (405) or is refused (StatusCode ≠ 0); a refused or unanswered subscribe is sent
// again with backoff (its state in the list route) until accepted, and no more once cancelled.
describeEachDatabase('GA/T 1400 downward subscriptions: cancel fallback and re-sending refused ones', (kind) => {
  let upper: TestHub;
  const peers: ScriptedLowerPeer[] = [];
  let serial = 40;

  beforeAll(async () => {
    upper = await startTestHub(kind, { overrides: { viid: { serverId: deviceCode('65000000', TYPE_VIID_PLATFORM, 31), cascade: { retryInitialMs: 100, retryMaxMs: 400 } } } });
  }, 90_000);

  afterAll(async () => {
    await upper?.stop();
    for (const peer of peers) await peer.stop();
  });

  const api = (path: string, init: { body?: unknown; method?: string } = {}) => upper.api(path, { user: upper.users.admin, ...init });
  const listed = async (id: string) => ((await api('/api/v1/viid/downward-subscriptions')).body as Array<Record<string, any>>).find((row) => row.id === id)!;

  /** A scripted lower platform, known to the hub as a peer with its base URL. */
  async function lowerPeer(script: ScriptedLowerPeer['script']): Promise<{ peer: ScriptedLowerPeer; id: string }> {
    const peer = new ScriptedLowerPeer(script);
    await peer.start();
    peers.push(peer);
    const id = deviceCode('65030000', TYPE_VIID_PLATFORM, serial++);
    const created = await api('/api/v1/viid/peers', { body: { id, kind: 'platform', name: `scripted ${id.slice(-4)}`, departmentId: upper.departments.traffic, password: PEER_PASSWORD, baseUrl: peer.url } });
    expect(created.status).toBe(201);
    return { peer, id };
  }

  const ok = { status: 200, statusCode: 0 };
  const putCancel = (r: SeenRequest) => r.method === 'PUT' && r.body.SubscribeListObject.SubscribeObject[0];

  for (const [name, refusal] of [['answers DELETE with 405', { status: 405, statusCode: null }], ['refuses DELETE with StatusCode 4', { status: 200, statusCode: 4 }]] as const) {
    it(`cancels with PUT OperateType 1 when the lower one ${name}`, async () => {
      const { peer, id: peerId } = await lowerPeer((r) => (r.method === 'DELETE' ? refusal : ok));
      const created = await api('/api/v1/viid/downward-subscriptions', { body: { peerId } });
      expect(created.body).toMatchObject({ status: 'active', statusCode: 0 });
      const cancelled = await api(`/api/v1/viid/downward-subscriptions/${created.body.id}`, { method: 'DELETE' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', statusCode: 0 });
      expect(peer.seen.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /VIID/Subscribes', 'DELETE /VIID/Subscribes', 'PUT /VIID/Subscribes']);
      const put = putCancel(peer.seen[2]!);
      expect(put).toMatchObject({ SubscribeID: created.body.id, OperateType: 1, SubscribeStatus: 1, SubscribeCancelOrg: expect.stringMatching(/^\d{12}$/), CancelTime: expect.stringMatching(/^\d{14}$/) });
      expect(peer.seen[2]!.userIdentify).toBe(upper.hub.services.viid!.serverId);
    });
  }

  it('a cancel both refused keeps an active subscription active and says so (502)', async () => {
    const { id: peerId } = await lowerPeer((r) => (r.method === 'POST' ? ok : { status: 200, statusCode: 4 }));
    const created = await api('/api/v1/viid/downward-subscriptions', { body: { peerId } });
    const refused = await api(`/api/v1/viid/downward-subscriptions/${created.body.id}`, { method: 'DELETE' });
    expect(refused.status).toBe(502);
    expect(refused.body.code).toBe('VIID_CANCEL_REFUSED');
    expect(await listed(created.body.id)).toMatchObject({ status: 'active', statusText: expect.stringMatching(/^cancel failed: HTTP 200, StatusCode 4/) });
  });

  it('a refused subscription is sent again with backoff, shows its retry state, and becomes active once accepted', async () => {
    // Refused with StatusCode 4, then an HTTP 503, then accepted.
    const { peer, id: peerId } = await lowerPeer((r, seen) => {
      const posts = seen.filter((s) => s.method === 'POST').length;
      if (r.method !== 'POST') return ok;
      return posts === 1 ? { status: 200, statusCode: 4 } : posts === 2 ? { status: 503, statusCode: null } : ok;
    });
    const created = await api('/api/v1/viid/downward-subscriptions', { body: { peerId } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'retrying', statusCode: 4, retry: { attempts: 0, nextAttemptAt: expect.any(Number) } });
    expect(created.body.statusText).toMatch(/StatusCode 4/);
    const active = await until(async () => { const row = await listed(created.body.id); return row.status === 'active' ? row : undefined; }, 'accepted on the third attempt', 15_000);
    expect(active).toMatchObject({ statusCode: 0, retry: null });
    expect(peer.count('POST')).toBe(3);
    // The same SubscribeID each time.
    expect(new Set(peer.seen.map((r) => r.body?.SubscribeListObject?.SubscribeObject?.[0]?.SubscribeID))).toEqual(new Set([created.body.id]));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(peer.count('POST')).toBe(3);
  });

  it('a subscription refused for good is sent again until cancelled, then never', async () => {
    const { peer, id: peerId } = await lowerPeer((r) => (r.method === 'POST' ? { status: 500, statusCode: null } : ok));
    const created = await api('/api/v1/viid/downward-subscriptions', { body: { peerId } });
    await until(async () => (peer.count('POST') >= 4 ? true : undefined), 'a few attempts', 15_000);
    const retrying = await listed(created.body.id);
    expect(retrying).toMatchObject({ status: 'retrying', retry: { attempts: expect.any(Number) } });
    expect(retrying.retry.attempts).toBeGreaterThanOrEqual(2);
    expect(retrying.statusText).toMatch(/HTTP 500/);
    const cancelled = await api(`/api/v1/viid/downward-subscriptions/${created.body.id}`, { method: 'DELETE' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', retry: null });
    const posts = peer.count('POST');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(peer.count('POST')).toBe(posts);
    expect((await listed(created.body.id)).status).toBe('cancelled');
  });

  it('a cancel that arrives while a re-send is in flight waits for it: the re-send never revives the subscription and none follows', async () => {
    // The first POST is refused at once; every later one is accepted, but only after 800 ms.
    const { peer, id: peerId } = await lowerPeer((r, seen) => {
      if (r.method !== 'POST') return ok;
      return seen.filter((s) => s.method === 'POST').length === 1 ? { status: 500, statusCode: null } : { ...ok, delayMs: 800 };
    });
    const created = await api('/api/v1/viid/downward-subscriptions', { body: { peerId } });
    expect(created.body.status).toBe('retrying');
    await until(async () => (peer.count('POST') >= 2 ? true : undefined), 'a re-send in flight', 15_000);
    const cancelled = await api(`/api/v1/viid/downward-subscriptions/${created.body.id}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', retry: null });
    // The cancel went out only once the re-send was answered (accepted), so the lower one is left with nothing.
    const exchanges = peer.seen.filter((r) => r.path === '/VIID/Subscribes');
    expect(exchanges.map((r) => r.method).slice(0, 3)).toEqual(['POST', 'POST', 'DELETE']);
    expect(exchanges[1]!.answeredAt, 'the re-send was answered before the cancel returned').toBeDefined();
    expect(exchanges[2]!.receivedAt).toBeGreaterThanOrEqual(exchanges[1]!.answeredAt!);
    const posts = peer.count('POST');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(peer.count('POST')).toBe(posts);
    expect((await listed(created.body.id)).status).toBe('cancelled');
  });
});
