import { request as httpRequest } from 'node:http';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH, login, personContext } from '../player/browser-session.ts';
import { deviceCode, TYPE_TOLLGATE_DEVICE, TYPE_VIID_PLATFORM } from '../../devtools/sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { SimulatedUpperPlatform } from '../../devtools/sim/gat1400/simulated-upper-platform.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { allowPeer, FAST_DELIVERY, PEER_PASSWORD, until } from './viid-fixtures.ts';

// Cascade upward: the lower hub registers to a second hub instance acting as the upper 视图库 (digest),
// keeps alive, re-registers after the upper one dropped its session, pushes MotorVehicles upward, serves the
// upper one's subscription, shows the link in its API and /metrics, and unregisters when it stops.
describeEachDatabase('GA/T 1400 cascade to an upper 视图库', (kind) => {
  let upper: TestHub;
  let lower: TestHub;
  let lowerStopped = false;
  let device: SimulatedTollgateDevice;
  const upperId = deviceCode('65000000', TYPE_VIID_PLATFORM, 1);
  const lowerId = deviceCode('65010000', TYPE_VIID_PLATFORM, 2);
  const deviceId = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 77);
  const cascadePassword = 'cascade-password-1';

  beforeAll(async () => {
    upper = await startTestHub(kind, { overrides: { viid: { serverId: upperId } } });
    // The upper 视图库 knows the lower one as a platform that may report for its 卡口 device.
    await allowPeer(upper, { id: lowerId, kind: 'platform', departmentId: upper.departments.traffic, devices: [deviceId], password: cascadePassword });
    lower = await startTestHub(kind, {
      overrides: {
        ...FAST_DELIVERY,
        viid: { serverId: lowerId, cascade: { url: upper.url, upstreamId: upperId, password: cascadePassword, keepaliveSeconds: 5, retryInitialMs: 100, retryMaxMs: 1_000, pushMotorVehicles: true } },
      },
    });
    await allowPeer(lower, { id: deviceId, kind: 'device', departmentId: lower.departments.traffic });
    device = new SimulatedTollgateDevice({ baseUrl: lower.url, id: deviceId, password: PEER_PASSWORD, keepaliveMs: 3_600_000 });
  }, 90_000);

  afterAll(async () => {
    await device?.stop();
    if (!lowerStopped) await lower?.stop();
    await upper?.stop();
  });

  const link = async () => (await lower.api('/api/v1/viid/upstream', { user: lower.users.auditor })).body;
  const peerOnUpper = async () => (await upper.api(`/api/v1/viid/peers/${lowerId}`, { user: upper.users.admin })).body;

  it('registers to the upper 视图库 with digest and shows the link on the dashboard API and /metrics', async () => {
    await until(async () => ((await link()).state === 'online' ? true : undefined), 'link online');
    expect(await link()).toMatchObject({ configured: true, upstreamId: upperId, ourId: lowerId, registrations: 1, failures: 0 });
    expect((await peerOnUpper()).status).toBe('online');
    const metrics = await fetch(`${lower.url}/metrics`, { headers: { authorization: `Bearer ${lower.users.admin.token}` } });
    const text = await metrics.text();
    expect(text).toMatch(/^hub_viid_upstream_up\{[^}]*upstream_id="\d{20}"[^}]*\} 1$/m);
    expect((await lower.api('/api/v1/viid/upstream', { user: lower.users.trafficViewer })).status).toBe(403);
  });

  it('shows the link on the dashboard page to admins, in Chinese first, and not to viewers', async () => {
    if (kind !== 'sqlite') return; // the page does not depend on the database
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    try {
      const admin = await login(await personContext(browser), lower.url, 'admin');
      await admin.goto(`${lower.url}/player/#/dashboard`);
      await admin.getByTestId('viid-upstream').waitFor({ timeout: 20_000 });
      expect(await admin.getByTestId('upstream-state').textContent()).toBe('在线');
      expect(await admin.getByTestId('upstream-upstreamId').textContent()).toBe(upperId);
      const viewer = await login(await personContext(browser), lower.url, 'trafficViewer');
      await viewer.goto(`${lower.url}/player/#/dashboard`);
      await viewer.getByTestId('figure-grants').waitFor({ timeout: 20_000 });
      expect(await viewer.getByTestId('viid-upstream').count()).toBe(0);
    } finally {
      await browser.close();
    }
  }, 90_000);

  it('pushes passes upward as MotorVehicles the upper 视图库 stores', async () => {
    await device.start();
    const objects = device.vehicles.batch(3);
    expect((await device.push(3, objects)).accepted).toBe(3);
    const plate = String(objects[0]!.PlateNo);
    const found = await until(async () => {
      const page = await upper.api(`/api/v1/checkpoint/passes?plate=${encodeURIComponent(plate)}`, { user: upper.users.admin });
      return page.body.items?.length ? page.body.items : undefined;
    }, 'pass on the upper hub');
    expect(found[0].hasCrop || found[0].hasScene).toBe(true);
  });

  it("serves the upper 视图库's subscription while registered, and no one else's", async () => {
    const asUpper = new SimulatedUpperPlatform({ baseUrl: lower.url, id: upperId, password: 'unused' });
    await asUpper.listen();
    try {
      const { subscribeId, reply } = await asUpper.subscribe();
      expect(reply.statuses).toEqual([expect.objectContaining({ Id: subscribeId, StatusCode: 0 })]);
      const stranger = new SimulatedUpperPlatform({ baseUrl: lower.url, id: deviceCode('65990000', TYPE_VIID_PLATFORM, 9), password: 'unused' });
      await stranger.listen();
      expect((await stranger.subscribe()).reply.status).toBe(401);
      await stranger.close();
      // The upstream's ID from another address than its host's is a claim, not the upstream: 401.
      const spoofed = await new Promise<number>((resolve, reject) => {
        const url = new URL(`${lower.url}/VIID/Subscribes`);
        const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: '127.0.0.2', headers: { 'content-type': 'application/VIID+JSON', 'user-identify': upperId } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.end(JSON.stringify({ SubscribeListObject: { SubscribeObject: [] } }));
      });
      expect(spoofed).toBe(401);
      expect((await device.push(2)).accepted).toBe(2);
      await asUpper.waitFor((received) => received.some((n) => n.subscribeId === subscribeId && n.vehicles.length === 2));
      expect(asUpper.received[0]!.userIdentify).toBe(lowerId);
      expect((await asUpper.cancel(subscribeId)).statuses[0]).toMatchObject({ StatusCode: 0 });

      // The upper hub itself as the receiver: its /VIID/SubscribeNotifications takes our notification (we are
      // a registered platform there) and answers StatusCode 0, which is what marks the delivery done.
      const toHub = await asUpper.subscribe({ receiveAddr: `${upper.url}/VIID/SubscribeNotifications` });
      expect(toHub.reply.statuses[0]).toMatchObject({ StatusCode: 0 });
      expect((await device.push(1)).accepted).toBe(1);
      const delivered = await until(async () => {
        const rows = await lower.hub.ctx.db.selectFrom('checkpoint_deliveries').select(['delivered_at', 'status_code', 'attempts']).where('subscription_id', '=', toHub.subscribeId).execute();
        return rows.length > 0 && rows.every((r) => r.delivered_at !== null) ? rows : undefined;
      }, 'notification delivered to the upper hub');
      expect(delivered.map((r) => [r.status_code, r.attempts])).toEqual([[0, 1]]);
    } finally {
      await asUpper.close();
    }
  });

  it('registers again after the upper 视图库 dropped its session', async () => {
    // The admin up there changes the peer: its session ends, our next keepalive gets 401.
    expect((await upper.api(`/api/v1/viid/peers/${lowerId}`, { method: 'PATCH', user: upper.users.admin, body: { name: 'district 视图库' } })).status).toBe(200);
    await until(async () => ((await link()).registrations >= 2 && (await link()).state === 'online' ? true : undefined), 're-registration', 60_000);
    expect((await peerOnUpper()).status).toBe('online');
    const actions = (await lower.hub.ctx.db.selectFrom('audit_events').select('action').where('action', 'like', 'viid.upstream.%').orderBy('seq').execute()).map((a) => a.action);
    expect(actions).toEqual(['viid.upstream.registered', 'viid.upstream.lost', 'viid.upstream.registered']);
  });

  it('unregisters from the upper 视图库 when it stops', async () => {
    await device.stop();
    lowerStopped = true;
    await lower.stop();
    expect((await peerOnUpper()).status).toBe('unregistered');
  });
});
