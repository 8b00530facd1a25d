import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { allowPeer, FAST_DELIVERY, PEER_PASSWORD, until } from './viid-fixtures.ts';

// Downward subscribe: the hub (upper 视图库) subscribes to a second hub instance acting as the lower platform,
// which registered to it (cascade), for its MotorVehicles: the lower one stores our SubscribeID and ReceiveAddr,
// its notifications become passes here and are counted on our subscription, and a cancel stops them.
describeEachDatabase('GA/T 1400 downward subscription to a lower 视图库', (kind) => {
  let upper: TestHub;
  let lower: TestHub;
  let device: SimulatedTollgateDevice;
  const upperId = deviceCode('65000000', TYPE_VIID_PLATFORM, 11);
  const lowerId = deviceCode('65010000', TYPE_VIID_PLATFORM, 12);
  const deviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 88);
  const otherDeviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 89);
  const cascadePassword = 'cascade-password-2';

  beforeAll(async () => {
    upper = await startTestHub(kind, { overrides: { viid: { serverId: upperId } } });
    await allowPeer(upper, { id: lowerId, kind: 'platform', departmentId: upper.departments.traffic, devices: [deviceId], password: cascadePassword });
    lower = await startTestHub(kind, {
      overrides: { ...FAST_DELIVERY, viid: { serverId: lowerId, cascade: { url: upper.url, upstreamId: upperId, password: cascadePassword, keepaliveSeconds: 5, retryInitialMs: 100, retryMaxMs: 1_000 } } },
    });
    await allowPeer(lower, { id: deviceId, kind: 'device', departmentId: lower.departments.traffic });
    device = new SimulatedTollgateDevice({ baseUrl: lower.url, id: deviceId, password: PEER_PASSWORD, keepaliveMs: 3_600_000 });
    await device.start();
    await until(async () => ((await lower.api('/api/v1/viid/upstream', { user: lower.users.admin })).body.state === 'online' ? true : undefined), 'lower registered upward');
  }, 90_000);

  afterAll(async () => {
    await device?.stop();
    await lower?.stop();
    await upper?.stop();
  });

  const subscriptions = (path = '/api/v1/viid/downward-subscriptions', init: { body?: unknown; method?: string; user?: TestHub['users']['admin'] } = {}) =>
    upper.api(path, { user: init.user ?? upper.users.admin, body: init.body, method: init.method });
  const passIds = async (hub: TestHub, ids: string[]) =>
    (await hub.hub.ctx.db.selectFrom('checkpoint_passes').select('id').where('id', 'in', ids).execute()).map((r) => r.id).sort();

  it('needs the peer\'s base URL and only its own devices; viewers may not subscribe', async () => {
    expect((await subscriptions(undefined, { body: { peerId: lowerId } })).body).toMatchObject({ code: 'VIID_PEER_NO_URL' });
    const patched = await upper.api(`/api/v1/viid/peers/${lowerId}`, { user: upper.users.admin, method: 'PATCH', body: { baseUrl: `${lower.url}/` } });
    expect(patched.status).toBe(200);
    expect(patched.body.baseUrl).toBe(lower.url);
    // Setting where we reach it keeps the lower one's registration.
    expect(patched.body.status).toBe('online');
    expect((await upper.api(`/api/v1/viid/peers/${lowerId}`, { user: upper.users.admin, method: 'PATCH', body: { baseUrl: 'ftp://x' } })).status).toBe(400);
    const notOwned = await subscriptions(undefined, { body: { peerId: lowerId, resourceIds: [otherDeviceId] } });
    expect(notOwned.status).toBe(400);
    expect(notOwned.body.code).toBe('VIID_SUBSCRIBE_RESOURCE_UNKNOWN');
    expect((await subscriptions(undefined, { body: { peerId: lowerId }, user: upper.users.trafficViewer })).status).toBe(403);
    expect((await subscriptions(undefined, { user: upper.users.trafficViewer })).status).toBe(403);
  });

  it('subscribes on the lower 视图库, receives its notifications as passes, and cancels', async () => {
    const created = await subscriptions(undefined, { body: { peerId: lowerId, resourceIds: [deviceId], title: '下级卡口订阅' } });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(id).toMatch(/^\d{33}$/);
    expect(id.slice(0, 14)).toBe(`${upperId.slice(0, 12)}03`);
    expect(created.body).toMatchObject({ peerId: lowerId, status: 'active', statusCode: 0, detail: '13', resourceUri: deviceId, receiveAddr: `${upper.url}/VIID/SubscribeNotifications` });

    // The lower one keeps our SubscribeID, as ours (its upstream's), with our ReceiveAddr.
    const there = await lower.hub.ctx.db.selectFrom('checkpoint_subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(there).toMatchObject({ peer_id: upperId, receiver_url: `${upper.url}/VIID/SubscribeNotifications`, resource_uri: deviceId, cancelled_at: null });

    const objects = device.vehicles.batch(2);
    expect((await device.push(2, objects)).accepted).toBe(2);
    const ids = objects.map((o) => String(o.MotorVehicleID)).sort();
    await until(async () => ((await passIds(upper, ids)).length === 2 ? true : undefined), 'notified vehicles stored on the upper hub', 60_000);
    const passes = await upper.hub.ctx.db.selectFrom('checkpoint_passes').select(['id', 'plate']).where('id', 'in', ids).execute();
    expect(passes.map((p) => p.plate).sort()).toEqual(objects.map((o) => String(o.PlateNo)).sort());
    const counted = await until(async () => {
      const [row] = (await subscriptions(`/api/v1/viid/downward-subscriptions?peerId=${lowerId}`)).body as Array<Record<string, any>>;
      return row && row.objects >= 2 ? row : undefined;
    }, 'notifications counted on our subscription');
    expect(counted).toMatchObject({ id, notifications: expect.any(Number), lastNotifiedAt: expect.any(Number) });

    const cancelled = await subscriptions(`/api/v1/viid/downward-subscriptions/${id}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusCode: 0, cancelledAt: expect.any(Number) });
    const gone = await lower.hub.ctx.db.selectFrom('checkpoint_subscriptions').select('cancelled_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(gone.cancelled_at).not.toBeNull();

    // After the cancel the lower one queues nothing more for us (its deliveries are written with the pass).
    const before = (await lower.hub.ctx.db.selectFrom('checkpoint_deliveries').select('id').where('subscription_id', '=', id).execute()).length;
    expect((await device.push(1)).accepted).toBe(1);
    const after = (await lower.hub.ctx.db.selectFrom('checkpoint_deliveries').select('id').where('subscription_id', '=', id).execute()).length;
    expect(after).toBe(before);
    const audit = await upper.hub.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', id).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['viid.downward.cancel', 'viid.downward.subscribe']);
  }, 120_000);

  it('records a lower 视图库 that cannot be reached as retrying, with why', async () => {
    const unreachableId = deviceCode('65020000', TYPE_VIID_PLATFORM, 13);
    await allowPeer(upper, { id: unreachableId, kind: 'platform', departmentId: upper.departments.traffic, password: cascadePassword });
    expect((await upper.api(`/api/v1/viid/peers/${unreachableId}`, { user: upper.users.admin, method: 'PATCH', body: { baseUrl: 'http://127.0.0.1:9' } })).status).toBe(200);
    const created = await subscriptions(undefined, { body: { peerId: unreachableId } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'retrying', statusCode: null, retry: { attempts: 0, nextAttemptAt: expect.any(Number) } });
    expect(created.body.statusText).toMatch(/\/VIID\/Subscribes/);
    const cancelled = await subscriptions(`/api/v1/viid/downward-subscriptions/${created.body.id}`, { method: 'DELETE' });
    expect(cancelled.body.status).toBe('cancelled');
  });
});
