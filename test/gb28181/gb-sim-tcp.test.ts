import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { relayOf, until } from '../relay/relay-fixtures.ts';
import { clipUnits, gbOf, startGbHub, startSimDevice } from './gb-fixtures.ts';

describe('GB/T 28181 device speaking SIP over TCP (the simulator on one TCP connection)', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  const nvrId = '34020000001180000061';

  beforeAll(async () => {
    t = await startGbHub('sqlite');
    nvr = await startSimDevice(t, nvrId, 2, { units: await clipUnits(), sipTransport: 'tcp' });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
  }, 120_000);
  afterAll(async () => {
    nvr?.kill();
    await t?.stop();
  });

  it('registers with digest, is catalogued, keeps alive, is INVITEd and streams, lists presets: all on the TCP connection', async () => {
    expect(nvr.registered).toBe(true);
    const device = await until('device recorded as TCP', async () => {
      const list = (await t.api('/api/v1/gb28181/devices', { user: t.users.admin })).body as Array<{ id: string; transport: string; status: string }>;
      return list.find((d) => d.id === nvrId && d.status === 'online');
    });
    expect(device.transport).toBe('tcp');
    const cameras = await until('both channels are online cameras', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body.filter((c: { source: string; status: string }) => c.source === 'gb28181' && c.status === 'online');
      return list.length === 2 && list;
    });
    // Keepalives over TCP keep it online past several keepalive windows (1 s × 3 misses in the test hub).
    await new Promise((r) => setTimeout(r, 4_000));
    expect(gbOf(t).server!.sessions.get(nvrId)).toBeDefined();

    const camera = cameras[0].id as string;
    const lease = await relayOf(t).acquire(camera, 'gb-sim-tcp');
    try {
      expect(nvr.invites).toBe(1);
      const session = gbOf(t).feeds.running()[0]!;
      await until('RTP flowing', () => session.rtp.packets > 50);
      expect(await relayOf(t).stream(camera)!.waitForPlaylist(20_000)).toBe(true);
    } finally {
      lease.release();
    }
    await until('BYE over TCP', () => nvr.byes === 1 && nvr.activeStreams === 0, 20_000);
    const presets = await t.api(`/api/v1/cameras/${cameras.find((c: { ptz: boolean }) => c.ptz).id}/ptz/presets`, { user: t.users.admin });
    expect(presets.body).toEqual([{ token: '1', name: '大门' }, { token: '2', name: '停车场入口' }]);
  });
});
