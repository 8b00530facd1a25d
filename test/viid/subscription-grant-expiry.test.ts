import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { SimulatedUpperPlatform } from '../../devtools/sim/gat1400/simulated-upper-platform.ts';
import { addGrant } from '../checkpoint/checkpoint-fixtures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { allowPeer, FAST_DELIVERY, PEER_PASSWORD, until } from './viid-fixtures.ts';

// A grant's end is announced only by the expiry sweep (every access.expirySweepSeconds; an hour here, so it
// never runs): the subscription pusher must stop sending the granted cameras' passes the moment the grant
// ends, though it read its subscriptions (with the granted cameras) a moment before.
describeEachDatabase('GA/T 1400 subscription: an unannounced grant expiry stops notifications at once', (kind) => {
  let t: TestHub;
  let device: SimulatedTollgateDevice;
  let platform: SimulatedUpperPlatform;
  const deviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 57);
  const platformId = deviceCode('65020000', TYPE_VIID_PLATFORM, 58);
  const deliveriesFor = async (subscribeId: string) => Number((await t.hub.ctx.db.selectFrom('checkpoint_deliveries').select((eb) => eb.fn.countAll().as('n')).where('subscription_id', '=', subscribeId).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await startTestHub(kind, { overrides: { ...FAST_DELIVERY, access: { expirySweepSeconds: 3_600 } } });
    // The device's cameras belong to traffic; the upper platform subscribes for the public-security department.
    await allowPeer(t, { id: deviceId, kind: 'device', departmentId: t.departments.traffic });
    await allowPeer(t, { id: platformId, kind: 'platform', departmentId: t.departments.ps });
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

  it('passes of the granted camera are sent while the grant runs and not the moment it has ended', async () => {
    expect((await device.push(1)).accepted).toBe(1);
    const camera = await t.hub.ctx.db.selectFrom('cameras').select('id').where('national_id', '=', deviceId).executeTakeFirstOrThrow();
    const grantId = await addGrant(t, t.departments.traffic, t.departments.ps, [camera.id], ['events']);
    const endsAt = Date.now() + 2_500;
    await t.hub.ctx.db.updateTable('grants').set({ ends_at: endsAt }).where('id', '=', grantId).execute();
    const { subscribeId } = await platform.subscribe({ reportInterval: 0 });

    // This pass fills the pusher's cache with the granted camera (cache period 10 s), a moment before the end.
    expect((await device.push(1)).accepted).toBe(1);
    expect(await deliveriesFor(subscribeId)).toBe(1);
    expect((await device.push(1)).accepted).toBe(1);
    expect(await deliveriesFor(subscribeId)).toBe(2);

    await until(() => (Date.now() > endsAt + 50 ? true : undefined), 'the grant\'s end');
    // Nobody announced the end (no sweep, no event): the pusher sees it at push time.
    expect(Number((await t.hub.ctx.db.selectFrom('grants').select('ends_at').where('id', '=', grantId).executeTakeFirstOrThrow()).ends_at)).toBe(endsAt);
    expect(Date.now() - endsAt).toBeLessThan(10_000);
    expect((await device.push(2)).accepted).toBe(2);
    expect(await deliveriesFor(subscribeId)).toBe(2);
  });
});
