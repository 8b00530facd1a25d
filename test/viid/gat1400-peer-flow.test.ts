import { afterAll, beforeAll, expect, it } from 'vitest';
import { readViidReceipt } from '../../api/checkpoint/viid-receipt.ts';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { SimulatedUpperPlatform } from '../../devtools/sim/gat1400/simulated-upper-platform.ts';
import { VehicleFactory } from '../../devtools/sim/gat1400/vehicle-factory.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { allowPeer, FAST_DELIVERY, PEER_PASSWORD, until } from './viid-fixtures.ts';

// The whole GA/T 1400 path with the simulator (written from the standard, not from api/viid) as the peer:
// register → keepalive → push → passes searchable with their images → watchlist alert → an upper
// platform's subscription receives the notification (a StatusCode ≠ 0 reply is retried) → unregister.
describeEachDatabase('GA/T 1400 peers against the hub', (kind) => {
  let t: TestHub;
  let device: SimulatedTollgateDevice;
  let platform: SimulatedUpperPlatform;
  const deviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 42);
  const platformId = deviceCode('65010000', TYPE_VIID_PLATFORM, 7);

  beforeAll(async () => {
    t = await startTestHub(kind, { overrides: FAST_DELIVERY });
    await allowPeer(t, { id: deviceId, kind: 'device', departmentId: t.departments.traffic });
    await allowPeer(t, { id: platformId, kind: 'platform', departmentId: t.departments.traffic });
    device = new SimulatedTollgateDevice({ baseUrl: t.url, id: deviceId, password: PEER_PASSWORD, keepaliveMs: 3_600_000 });
    platform = new SimulatedUpperPlatform({ baseUrl: t.url, id: platformId, password: PEER_PASSWORD });
    await platform.listen();
  }, 60_000);

  afterAll(async () => {
    await device?.stop();
    await platform?.close();
    await t?.stop();
  });

  it('refuses a wrong digest password and pushes before registration', async () => {
    const impostor = new SimulatedTollgateDevice({ baseUrl: t.url, id: deviceId, password: 'not-the-password' });
    const refused = await impostor.client.register();
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Digest .*qop="auth"/);
    const early = await impostor.push(1);
    expect(early.status).toBe(401);
    expect(early.accepted).toBe(0);
  });

  it('registers with digest, keeps alive, and the platform subscribes with its own SubscribeID', async () => {
    await device.start();
    const alive = await device.keepalive();
    expect([alive.status, alive.statuses.map((s) => Number(s.StatusCode))]).toEqual([200, [0]]);
    await platform.client.register();
    expect(platform.client.registered).toBe(true);
    const { subscribeId, reply } = await platform.subscribe({ resourceUri: deviceId });
    expect(reply.status).toBe(200);
    expect(reply.statuses).toEqual([expect.objectContaining({ Id: subscribeId, StatusCode: 0 })]);
    // A device may not subscribe; the subscription shows up for the admin with the platform as its owner.
    const byDevice = await device.client.request('POST', '/VIID/Subscribes', { SubscribeListObject: { SubscribeObject: [{ SubscribeID: '1'.repeat(33) }] } });
    expect(byDevice.status).toBe(403);
    const listed = (await t.api('/api/v1/checkpoint/subscriptions', { user: t.users.admin })).body;
    expect(listed).toEqual([expect.objectContaining({ id: subscribeId, peerId: platformId, resourceUri: deviceId, detail: '13' })]);
  });

  it('answers each malformed SubscribeObject with its own status and stores none of them', async () => {
    const good = { SubscribeDetail: '13', BeginTime: '20200101000000', EndTime: '20991231000000', ReceiveAddr: platform.receiveAddr };
    const reply = await platform.client.request('POST', '/VIID/Subscribes', { SubscribeListObject: { SubscribeObject: [
      { ...good, SubscribeID: '650100000000032025010100000001' + 'X!' },
      { ...good, SubscribeID: 'A1', SubscribeDetail: '3' },
      { ...good, SubscribeID: 'A2', EndTime: '20200101000000' },
      { ...good, SubscribeID: 'A3', ResourceURI: '1234' },
      { ...good, SubscribeID: 'A4', ReceiveAddr: 'ftp://127.0.0.1/x' },
      { ...good, SubscribeID: 'A5', ReceiveAddr: 'http://10.1.2.3/VIID/SubscribeNotifications' },
    ] } });
    expect(reply.status).toBe(200);
    expect(reply.statuses.map((s) => Number(s.StatusCode))).toEqual([8, 8, 8, 8, 8, 8]);
    expect(reply.statuses[5]!.StatusString).toMatch(/RECEIVER_URL_NOT_ALLOWED/);
    const malformed = await platform.client.request('POST', '/VIID/Subscribes', { Subscribe: {} });
    expect([malformed.status, Number(malformed.statuses[0]?.StatusCode)]).toEqual([400, 8]);
    const tooMany = await platform.client.request('POST', '/VIID/Subscribes', { SubscribeListObject: { SubscribeObject: Array.from({ length: 101 }, (_, i) => ({ ...good, SubscribeID: `B${i}` })) } });
    expect([tooMany.status, Number(tooMany.statuses[0]?.StatusCode)]).toEqual([400, 8]);
    const stranger = await fetch(`${t.url}/VIID/Subscribes`, { method: 'POST', headers: { 'content-type': 'application/VIID+JSON', 'user-identify': '65010000005039999999' }, body: JSON.stringify({ SubscribeListObject: { SubscribeObject: [] } }) });
    expect(stranger.status).toBe(401);
    const stored = await t.hub.ctx.db.selectFrom('checkpoint_subscriptions').select('id').where('id', 'in', ['A1', 'A2', 'A3', 'A4', 'A5']).execute();
    expect(stored).toEqual([]);
  });

  it('stores pushed vehicles as passes with their images, raises the watchlist alert and notifies the subscriber', async () => {
    const watched = '苏E7T001';
    const watch = await t.api('/api/v1/checkpoint/watchlist', { user: t.users.trafficApprover, body: { plate: watched, matchKind: 'exact', reason: 'stolen vehicle case 14', validFrom: Date.now() - 60_000, validUntil: Date.now() + 3_600_000 } });
    expect(watch.status).toBe(201);
    const objects = device.vehicles.batch(4);
    objects[1]!.PlateNo = watched;
    const pushed = await device.push(4, objects);
    expect([pushed.status, pushed.accepted]).toEqual([200, 4]);
    expect(pushed.reply.statuses.map((s) => s.Id)).toEqual(objects.map((o) => o.MotorVehicleID));

    const found = await t.api(`/api/v1/checkpoint/passes?plate=${encodeURIComponent(watched)}`, { user: t.users.trafficViewer });
    expect(found.body.items).toHaveLength(1);
    const passId = found.body.items[0].id;
    expect(found.body.items[0].hasCrop).toBe(true);
    const crop = await fetch(`${t.url}/api/v1/checkpoint/passes/${encodeURIComponent(passId)}/crop`, { headers: { authorization: `Bearer ${t.users.trafficViewer.token}` } });
    expect(crop.status).toBe(200);
    const sent = Buffer.from(String((objects[1]!.SubImageList as any).SubImageInfoObject[0].Data), 'base64');
    expect(Buffer.from(await crop.arrayBuffer()).equals(sent)).toBe(true);
    await until(async () => (await t.hub.ctx.db.selectFrom('checkpoint_alerts').select('plate').execute()).find((a) => a.plate === watched), 'watchlist alert');

    await platform.waitFor((received) => received.some((n) => n.vehicles.length === 4));
    const note = platform.received.find((n) => n.vehicles.length === 4)!;
    expect(note.userIdentify).toMatch(/^[0-9]{20}$/);
    expect(note.contentType).toMatch(/^application\/VIID\+JSON/i);
    expect(note.notificationId).toMatch(/^[0-9]{33}$/);
    expect(note.infoIds).toHaveLength(4);
    // The receiver fetches the image without our login (signed, expiring URL).
    const url = String(note.vehicles.find((v) => v.PlateNo === watched)!.StorageUrl2 ?? note.vehicles.find((v) => v.PlateNo === watched)!.StorageUrl1);
    const image = await fetch(url);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer()).equals(sent)).toBe(true);
    expect((await fetch(url.replace(/sig=[^&]+/, 'sig=forged'))).status).toBe(403);
  });

  it('retries a notification the receiver answered with StatusCode ≠ 0 (HTTP 200) until it says 0', async () => {
    platform.failNext = 1;
    const before = platform.received.length;
    const pushed = await device.push(2);
    expect(pushed.accepted).toBe(2);
    await platform.waitFor((received) => received.slice(before).some((n) => n.answered === 0));
    const attempts = platform.received.slice(before);
    expect(attempts.map((n) => n.answered)).toEqual([2, 0]);
    expect(attempts[0]!.notificationId).toBe(attempts[1]!.notificationId);
    const row = await until(async () => {
      const found = await t.hub.ctx.db.selectFrom('checkpoint_deliveries').selectAll().where('id', '=', attempts[0]!.notificationId).executeTakeFirstOrThrow();
      return found.delivered_at !== null ? found : undefined;
    }, 'delivery marked delivered');
    expect([row.attempts, row.status_code, row.delivered_at !== null]).toEqual([2, 0, true]);
  });

  it('holds notifications for the ReportInterval and sends the passes of the interval together', async () => {
    const { subscribeId, reply } = await platform.subscribe({ resourceUri: deviceId, reportInterval: 10 });
    expect(reply.statuses[0]).toMatchObject({ Id: subscribeId, StatusCode: 0 });
    expect((await device.push(2)).accepted).toBe(2);
    expect((await device.push(3)).accepted).toBe(3);
    await platform.waitFor((received) => received.some((n) => n.subscribeId === subscribeId), 60_000);
    const notes = platform.received.filter((n) => n.subscribeId === subscribeId);
    expect(notes.map((n) => [n.vehicles.length, n.infoIds.length])).toEqual([[5, 5]]);
    expect((await platform.cancel(subscribeId, true)).statuses[0]).toMatchObject({ Id: subscribeId, StatusCode: 0 });
  }, 90_000);

  it('takes the vehicles a lower platform delivers as notifications, for its own devices only', async () => {
    const lowerId = deviceCode('65010000', TYPE_VIID_PLATFORM, 8);
    const ownDevice = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 43);
    await allowPeer(t, { id: lowerId, kind: 'platform', departmentId: t.departments.traffic, devices: [ownDevice] });
    const lower = new SimulatedUpperPlatform({ baseUrl: t.url, id: lowerId, password: PEER_PASSWORD });
    await lower.client.register();
    const own = new VehicleFactory({ deviceId: ownDevice }).batch(2);
    const foreign = new VehicleFactory({ deviceId }).batch(1);
    const note = (id: string, vehicles: unknown[]) => ({ NotificationID: id, SubscribeID: '6501000000000320250101000000001', TriggerTime: '20250101000000', InfoIDs: '', MotorVehicleObjectList: { MotorVehicleObject: vehicles } });
    const reply = await lower.client.request('POST', '/VIID/SubscribeNotifications', { SubscribeNotificationListObject: { SubscribeNotificationObject: [note('N1', own), note('N2', foreign)] } });
    expect(reply.status).toBe(200);
    expect(reply.statuses.map((s) => [s.Id, Number(s.StatusCode)])).toEqual([['N1', 0], ['N2', 4]]);
    const stored = await t.hub.ctx.db.selectFrom('checkpoint_passes').select('id').where('id', 'in', [...own, ...foreign].map((o) => String(o.MotorVehicleID))).execute();
    expect(stored.map((r) => r.id).sort()).toEqual(own.map((o) => String(o.MotorVehicleID)).sort());
    // Delivered again (the sender's retry): still 0, nothing stored twice.
    const again = await lower.client.request('POST', '/VIID/SubscribeNotifications', { SubscribeNotificationListObject: { SubscribeNotificationObject: note('N1', own) } });
    expect(again.statuses.map((s) => Number(s.StatusCode))).toEqual([0]);
    await lower.close();
  });

  it('a 200 with an empty status list or StatusCode ≠ 0 is not a delivery', () => {
    expect(readViidReceipt(200, '{"ResponseStatusListObject":{"ResponseStatusObject":[]}}').delivered).toBe(false);
    expect(readViidReceipt(200, '{"ResponseStatusListObject":{"ResponseStatusObject":[{"StatusCode":"1"}]}}')).toMatchObject({ delivered: false, statusCode: 1 });
    expect(readViidReceipt(200, '').delivered).toBe(false);
    expect(readViidReceipt(200, '{"ResponseStatusObject":{"StatusCode":"0"}}').delivered).toBe(true);
  });

  it('cancels the subscription, then unregisters: later pushes are refused', async () => {
    const [subscribeId] = platform.issued;
    const cancelled = await platform.cancel(subscribeId!);
    expect(cancelled.statuses).toEqual([expect.objectContaining({ Id: subscribeId, StatusCode: 0 })]);
    const queued = async () => Number((await t.hub.ctx.db.selectFrom('checkpoint_deliveries').select((eb) => eb.fn.countAll().as('n')).where('subscription_id', '=', subscribeId!).executeTakeFirstOrThrow()).n);
    const before = await queued();
    expect((await device.push(1)).accepted).toBe(1);
    expect(await queued()).toBe(before);
    // A disabled platform's subscriptions stop (they are kept, and resume if it is enabled again).
    const kept = await platform.subscribe({ resourceUri: deviceId });
    expect(kept.reply.statuses[0]).toMatchObject({ StatusCode: 0 });
    expect((await t.api(`/api/v1/viid/peers/${platformId}`, { method: 'PATCH', user: t.users.admin, body: { disabled: true } })).status).toBe(200);
    expect((await device.push(1)).accepted).toBe(1);
    const forKept = await t.hub.ctx.db.selectFrom('checkpoint_deliveries').select('id').where('subscription_id', '=', kept.subscribeId).execute();
    expect(forKept).toEqual([]);
    await device.stop();
    await platform.close();
    expect((await device.push(1)).status).toBe(401);
    const actions = (await t.hub.ctx.db.selectFrom('audit_events').select('action').where('action', 'like', 'viid.%').execute()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['viid.register', 'viid.subscribe', 'viid.subscribe.cancel', 'viid.unregister']));
  });
});
