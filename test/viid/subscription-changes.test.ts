import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import type { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import type { SimulatedUpperPlatform } from '../../devtools/sim/gat1400/simulated-upper-platform.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { startRegisteredPeers, type RegisteredPeers } from './registered-peers.ts';

// Subscription changes apply to the very next pass: the pusher's cached subscriptions are dropped on every
// change (the cache period is 10 s; each step here follows the previous within far less). ReportInterval 0:
// one notification per pass, so each pass sent is one delivery row.
describeEachDatabase('GA/T 1400 subscription changes apply at once', (kind) => {
  let t: TestHub;
  let device: SimulatedTollgateDevice;
  let platform: SimulatedUpperPlatform;
  let peers: RegisteredPeers | undefined;
  const deviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 77);
  const platformId = deviceCode('65010000', TYPE_VIID_PLATFORM, 17);
  const deliveriesFor = async (subscribeId: string) => Number((await t.hub.ctx.db.selectFrom('checkpoint_deliveries').select((eb) => eb.fn.countAll().as('n')).where('subscription_id', '=', subscribeId).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    peers = await startRegisteredPeers(kind, { deviceId, platformId });
    ({ t, device, platform } = peers);
  }, 60_000);

  afterAll(async () => {
    await peers?.stop();
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
