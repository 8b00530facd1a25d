import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { SimulatedUpperPlatform } from '../../devtools/sim/gat1400/simulated-upper-platform.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { allowPeer, FAST_DELIVERY, PEER_PASSWORD } from './viid-fixtures.ts';

// Subscription changes apply to the very next pass: the pusher's cached subscriptions are dropped on every
// change (the cache period is 10 s; each step here follows the previous within far less). ReportInterval 0:
// one notification per pass, so each pass sent is one delivery row.
describeEachDatabase('GA/T 1400 subscription changes apply at once', (kind) => {
  let t: TestHub;
  let device: SimulatedTollgateDevice;
  let platform: SimulatedUpperPlatform;
  const deviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 77);
  const platformId = deviceCode('65010000', TYPE_VIID_PLATFORM, 17);
  const deliveriesFor = async (subscribeId: string) => Number((await t.hub.ctx.db.selectFrom('checkpoint_deliveries').select((eb) => eb.fn.countAll().as('n')).where('subscription_id', '=', subscribeId).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await startTestHub(kind, { overrides: FAST_DELIVERY });
    await allowPeer(t, { id: deviceId, kind: 'device', departmentId: t.departments.traffic });
    await allowPeer(t, { id: platformId, kind: 'platform', departmentId: t.departments.traffic });
    device = new SimulatedTollgateDevice({ baseUrl: t.url, id: deviceId, password: PEER_PASSWORD, keepaliveMs: 3_600_000 });
    platform = new SimulatedUpperPlatform({ baseUrl: t.url, id: platformId, password: PEER_PASSWORD });
    await platform.listen();
    await device.start();
    expect((await platform.client.register()).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await device?.stop();
    await platform?.close();
    await t?.stop();
  });

  it('a subscription made, cancelled, its platform disabled and enabled again: each counts from the next pass', async () => {
    // A pass before any subscription fills the pusher's cache with "none".
    expect((await device.push(1)).accepted).toBe(1);
    const { subscribeId } = await platform.subscribe({ resourceUri: deviceId, reportInterval: 0 });
    expect((await device.push(1)).accepted).toBe(1);
    expect(await deliveriesFor(subscribeId)).toBe(1);

    // Disabled: the cache holding the enabled platform is dropped, the next pass is not sent.
    expect((await t.api(`/api/v1/viid/peers/${platformId}`, { method: 'PATCH', user: t.users.admin, body: { disabled: true } })).status).toBe(200);
    expect((await device.push(1)).accepted).toBe(1);
    expect(await deliveriesFor(subscribeId)).toBe(1);

    // Enabled again: sent again from the next pass.
    expect((await t.api(`/api/v1/viid/peers/${platformId}`, { method: 'PATCH', user: t.users.admin, body: { disabled: false } })).status).toBe(200);
    expect((await device.push(1)).accepted).toBe(1);
    expect(await deliveriesFor(subscribeId)).toBe(2);

    // Cancelled by an admin: nothing more.
    expect((await t.api(`/api/v1/checkpoint/subscriptions/${subscribeId}`, { method: 'DELETE', user: t.users.admin })).status).toBeLessThan(300);
    expect((await device.push(1)).accepted).toBe(1);
    expect(await deliveriesFor(subscribeId)).toBe(2);
  });
});
