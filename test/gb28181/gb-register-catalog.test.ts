import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';
import { channelIds, gbOf, startGbHub, startSimDevice } from './gb-fixtures.ts';

describeEachDatabase('GB/T 28181: register, keepalive, catalogue → cameras, offline', (kind) => {
  let t: TestHub;
  const nvrId = '34020000001180000001';
  let nvr: SimGbDevice;

  beforeAll(async () => {
    t = await startGbHub(kind);
  }, 60_000);
  afterAll(async () => {
    nvr?.kill();
    await t?.stop();
  });

  it('registers with digest, catalogues all channels over several MESSAGEs, and lists the device for the admin only', async () => {
    nvr = await startSimDevice(t, nvrId, 5);
    expect(nvr.registered).toBe(true);
    const devices = await until('device listed with DeviceInfo', async () => {
      const list = await t.api('/api/v1/gb28181/devices', { user: t.users.admin });
      return list.body.find?.((d: { id: string; model: string | null }) => d.id === nvrId && d.model) && list.body;
    });
    const device = devices.find((d: { id: string }) => d.id === nvrId);
    expect(device).toMatchObject({ status: 'online', transport: 'udp', address: '127.0.0.1', port: nvr.port, manufacturer: 'SimVendor', departmentId: null });
    expect((await t.api('/api/v1/gb28181/devices', { user: t.users.psApprover })).status).toBe(403);
    const channels = await until('5 channels catalogued', async () => {
      const list = await t.api(`/api/v1/gb28181/devices/${nvrId}/channels`, { user: t.users.admin });
      return list.body.length === 5 && list.body;
    });
    expect(channels.map((c: { id: string }) => c.id)).toEqual(channelIds(nvrId, 5));
    expect(channels[0]).toMatchObject({ name: '通道1 南门', address: '滨江路1号', ptzType: 1, status: 'ON', lon: 120.1, lat: 30.2, cameraId: null });
  });

  it('turns the channels into cameras of the department the admin assigns, online while the device is', async () => {
    const patched = await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
    expect(patched.status).toBe(200);
    expect(patched.body.departmentId).toBe(t.departments.community);
    const cameras = await until('5 GB cameras online', async () => {
      const list = await t.api('/api/v1/cameras', { user: t.users.admin });
      const gb = list.body.filter((c: { source: string }) => c.source === 'gb28181');
      return gb.length === 5 && gb.every((c: { status: string }) => c.status === 'online') && gb;
    });
    const first = cameras.find((c: { name: string }) => c.name === '通道1 南门');
    expect(first).toMatchObject({ departmentId: t.departments.community, category: 'community', lat: 30.2, lon: 120.1, address: '滨江路1号', ptz: true });
    const row = await t.hub.ctx.cameras.find(first.id);
    expect(row?.national_id).toBe(channelIds(nvrId, 1)[0]);
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'target_id']).where('action', '=', 'config.gb28181.device.update').execute();
    expect(audit).toEqual([{ action: 'config.gb28181.device.update', target_id: nvrId }]);
  });

  it('a device that stops keeping alive goes offline with its cameras; registering again brings them back', async () => {
    nvr.kill();
    await until('device offline', async () => (await t.api('/api/v1/gb28181/devices', { user: t.users.admin })).body.find((d: { id: string }) => d.id === nvrId).status === 'offline', 15_000);
    await until('cameras offline', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body.filter((c: { source: string }) => c.source === 'gb28181');
      return list.every((c: { status: string }) => c.status === 'offline');
    });
    nvr = await startSimDevice(t, nvrId, 5);
    await until('cameras online again', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body.filter((c: { source: string }) => c.source === 'gb28181');
      return list.length === 5 && list.every((c: { status: string }) => c.status === 'online');
    });
    expect(gbOf(t).server!.sessions.get(nvrId)?.peer.port).toBe(nvr.port);
  });

  it('subscribes to catalogue changes and follows NOTIFY: a channel added, one switched off, one renamed', async () => {
    // The catalogue answer after the re-registration is applied first; the NOTIFY's changes come after it.
    await until('catalogue sent and subscription active', () => nvr.catalogsSent >= 1 && nvr.subscribes >= 1 && gbOf(t).server!.subscriptions.isActive(nvrId));
    const [first, second] = channelIds(nvrId, 2);
    const added = `${nvrId.slice(0, 10)}1310999999`;
    expect(await nvr.notifyCatalog([
      { channel: { id: added, name: '新增 北门' }, event: 'ADD' }, { channel: { id: second!, name: '' }, event: 'OFF' },
      { channel: { id: first!, name: '改名 东门' }, event: 'UPDATE' },
    ])).toBe(200);
    const cameras = await until('catalogue changes applied', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body.filter((c: { source: string }) => c.source === 'gb28181');
      const byName = (name: string) => list.find((c: { name: string }) => c.name === name);
      return list.length === 6 && byName('新增 北门')?.status === 'online' && byName('改名 东门') && list;
    });
    const secondCamera = await t.hub.ctx.cameras.findByNationalId(second!);
    await until('switched-off channel offline', async () => (await t.hub.ctx.cameras.find(secondCamera!.id))?.status === 'offline');
    expect(cameras.find((c: { name: string }) => c.name === '改名 东门').departmentId).toBe(t.departments.community);
  });
});
