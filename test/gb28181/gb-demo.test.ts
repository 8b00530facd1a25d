import { afterAll, beforeAll, expect, it, describe } from 'vitest';
import { DEMO_NVR_ID, DemoGbNvr } from '../../devtools/demo/demo-gb-nvr.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';

describe('demo: one simulated GB/T 28181 NVR in the community department', () => {
  let t: TestHub;
  let demo: DemoGbNvr;
  beforeAll(async () => {
    // The test hub creates "Riverside Community" after start, so the demo NVR (which the gb28181 feature starts
    // when demo.gbNvrChannels > 0) is started here, the same way, once the department exists.
    t = await startTestHub('sqlite', { overrides: { gb28181: { enabled: true, host: '127.0.0.1', port: 0 } } });
    const gb = t.hub.services.gb28181!;
    demo = new DemoGbNvr(t.hub.ctx, gb.server!, gb.devices, 3);
    await demo.start();
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    await t?.stop();
  });

  it('registers with its own password and its channels become online community cameras', async () => {
    const cameras = await until('3 demo GB cameras online', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body.filter((c: { source: string; status: string }) => c.source === 'gb28181' && c.status === 'online');
      return list.length === 3 && list;
    }, 60_000);
    expect(new Set(cameras.map((c: { departmentId: string }) => c.departmentId))).toEqual(new Set([t.departments.community]));
    const device = (await t.api('/api/v1/gb28181/devices', { user: t.users.admin })).body.find((d: { id: string }) => d.id === DEMO_NVR_ID);
    expect(device).toMatchObject({ status: 'online', hasPassword: true, departmentId: t.departments.community });
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.users.admin.token}` } });
    expect(await metrics.text()).toMatch(/^hub_gb28181_devices_registered 1$/m);
  });
});
