import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { allowPeer, FAST_DELIVERY, PEER_PASSWORD, until } from './viid-fixtures.ts';

// Downward subscribe with our own registration: the lower 视图库 (a second hub) does not register to us; the
// upper hub registers there with HTTP Digest (its peer has register credentials), keeps alive, subscribes,
// takes the notifications under that registration, and unregisters when its last subscription there is
// cancelled and at shutdown.
describeEachDatabase('GA/T 1400 downward subscription with our digest registration at the lower 视图库', (kind) => {
  let upper: TestHub | undefined;
  let lower: TestHub;
  let device: SimulatedTollgateDevice;
  const upperId = deviceCode('65000000', TYPE_VIID_PLATFORM, 21);
  const lowerId = deviceCode('65010000', TYPE_VIID_PLATFORM, 22);
  const deviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 91);
  const registerPassword = 'upper-at-lower-3';

  beforeAll(async () => {
    lower = await startTestHub(kind, { overrides: { ...FAST_DELIVERY, viid: { serverId: lowerId } } });
    // The lower one knows us as an upper platform that registers to it, with its password.
    await allowPeer(lower, { id: upperId, kind: 'platform', departmentId: lower.departments.traffic, password: registerPassword });
    await allowPeer(lower, { id: deviceId, kind: 'device', departmentId: lower.departments.traffic });
    device = new SimulatedTollgateDevice({ baseUrl: lower.url, id: deviceId, password: PEER_PASSWORD, keepaliveMs: 3_600_000 });
    await device.start();
    upper = await startTestHub(kind, { overrides: { viid: { serverId: upperId, cascade: { keepaliveSeconds: 5, retryInitialMs: 100, retryMaxMs: 1_000 } } } });
  }, 90_000);

  afterAll(async () => {
    await device?.stop();
    await upper?.stop();
    await lower?.stop();
  });

  const api = (path: string, init: { body?: unknown; method?: string } = {}) => upper!.api(path, { user: upper!.users.admin, ...init });
  const upperAtLower = () => lower.hub.ctx.db.selectFrom('viid_peers').select(['status', 'registered_at', 'last_seen_at']).where('id', '=', upperId).executeTakeFirstOrThrow();
  const lowerAudit = async () => (await lower.hub.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', upperId).execute()).map((a) => a.action);

  it('a peer with a wrong register password: the subscription is retried, with why, and nothing registers', async () => {
    const created = await api('/api/v1/viid/peers', { body: { id: lowerId, kind: 'platform', name: 'lower', departmentId: upper!.departments.traffic, password: PEER_PASSWORD, devices: [deviceId], baseUrl: lower.url, registerPassword: 'not-the-password' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ registersDownward: true, registerUsername: null });
    expect(JSON.stringify(created.body)).not.toContain('not-the-password');
    const sub = await api('/api/v1/viid/downward-subscriptions', { body: { peerId: lowerId, resourceIds: [deviceId] } });
    expect(sub.status).toBe(201);
    expect(sub.body).toMatchObject({ status: 'retrying', registration: { state: 'retrying' } });
    expect(sub.body.statusText).toMatch(/refused register: HTTP 401/);
    expect((await upperAtLower()).status).toBe('unregistered');
    const cancelled = await api(`/api/v1/viid/downward-subscriptions/${sub.body.id}`, { method: 'DELETE' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', registration: null });
  });

  it('registers with digest, subscribes, keeps alive, takes the notifications, unregisters at the cancel', async () => {
    expect((await api(`/api/v1/viid/peers/${lowerId}`, { method: 'PATCH', body: { registerPassword } })).status).toBe(200);
    const created = await api('/api/v1/viid/downward-subscriptions', { body: { peerId: lowerId, resourceIds: [deviceId] } });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(created.body).toMatchObject({ status: 'active', statusCode: 0, registration: { state: 'online', registeredAt: expect.any(Number) } });
    expect((await upperAtLower()).status).toBe('online');
    expect(await lowerAudit()).toContain('viid.register');
    // The lower one keeps the subscription as ours, its registered upper platform.
    const there = await lower.hub.ctx.db.selectFrom('checkpoint_subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(there).toMatchObject({ peer_id: upperId, receiver_url: `${upper!.url}/VIID/SubscribeNotifications`, cancelled_at: null });

    const objects = device.vehicles.batch(2);
    expect((await device.push(2, objects)).accepted).toBe(2);
    const ids = objects.map((o) => String(o.MotorVehicleID));
    await until(async () => ((await upper!.hub.ctx.db.selectFrom('checkpoint_passes').select('id').where('id', 'in', ids).execute()).length === 2 ? true : undefined), 'notified vehicles stored on the upper hub', 60_000);
    // Taken under our registration there: the lower one never registered to us.
    expect((await upper!.hub.ctx.db.selectFrom('viid_peers').select('status').where('id', '=', lowerId).executeTakeFirstOrThrow()).status).toBe('unregistered');

    // Keepalive every 5 s renews our session there.
    const registeredAt = (await upperAtLower()).last_seen_at;
    const kept = await until(async () => {
      const [row] = (await api(`/api/v1/viid/downward-subscriptions?peerId=${lowerId}`)).body as Array<Record<string, any>>;
      return row.registration.lastKeepaliveAt > row.registration.registeredAt ? row : undefined;
    }, 'a keepalive', 15_000);
    expect(kept.objects).toBeGreaterThanOrEqual(2);
    expect(Number((await upperAtLower()).last_seen_at)).toBeGreaterThan(Number(registeredAt));

    const cancelled = await api(`/api/v1/viid/downward-subscriptions/${id}`, { method: 'DELETE' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusCode: 0, registration: null });
    expect((await lower.hub.ctx.db.selectFrom('checkpoint_subscriptions').select('cancelled_at').where('id', '=', id).executeTakeFirstOrThrow()).cancelled_at).not.toBeNull();
    expect((await upperAtLower()).status).toBe('unregistered');
    expect(await lowerAudit()).toContain('viid.unregister');
    const ours = (await upper!.hub.ctx.db.selectFrom('audit_events').select('action').where('target_id', '=', lowerId).execute()).map((a) => a.action);
    expect(ours).toEqual(expect.arrayContaining(['viid.downward.registered', 'viid.downward.unregistered']));
  }, 120_000);

  it('a new subscription registers again; the hub unregisters at shutdown', async () => {
    const created = await api('/api/v1/viid/downward-subscriptions', { body: { peerId: lowerId } });
    expect(created.body).toMatchObject({ status: 'active', registration: { state: 'online' } });
    expect((await upperAtLower()).status).toBe('online');
    await upper!.stop();
    upper = undefined;
    expect((await upperAtLower()).status).toBe('unregistered');
  }, 60_000);
});
