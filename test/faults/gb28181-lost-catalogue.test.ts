import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';
import { channelIds, gbOf, startGbHub, startSimDevice } from '../gb28181/gb-fixtures.ts';
import { recordFault } from './fault-table.ts';

/**
 * A catalogue answer lost on the way (the device 200-OKs the query and never answers it) left a
 * registered NVR without cameras until it registered again. The hub now asks again until it hears.
 */
describe('GB/T 28181: a lost catalogue answer', () => {
  let t: TestHub;
  let device: SimGbDevice | undefined;

  beforeAll(async () => {
    t = await startGbHub('sqlite', { catalogAnswerTimeoutSeconds: 1 });
  }, 60_000);
  afterAll(async () => {
    device?.kill();
    await t?.stop();
  });

  it('asks for the catalogue again until the device answers, then stops asking', async () => {
    const started = Date.now();
    device = await startSimDevice(t, '34020000001180000041', 2, { catalogQueriesLost: 2 });
    await t.api(`/api/v1/gb28181/devices/${device.id}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.ps } });
    const [first, second] = channelIds(device.id, 2);
    const cameras = await until('both channels are cameras', async () => {
      const found = await Promise.all([first!, second!].map((id) => t.hub.ctx.cameras.findByNationalId(id)));
      return found.every(Boolean) ? found : undefined;
    }, 45_000, 200);
    expect(cameras.map((c) => c!.department_id)).toEqual([t.departments.ps, t.departments.ps]);
    // Two queries lost, the third answered.
    expect(device.catalogQueries).toBe(3);
    // The hub stores the answer as soon as it has 200-OKed its last part: the device may see that 200 a moment later.
    await until('the device saw its answer taken', () => device!.catalogsSent >= 1, 5_000);
    // Answered: nothing is waited on, and no further query goes out.
    await until('no catalogue awaited', () => gbOf(t).catalogRequests.pending().length === 0, 5_000);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(device.catalogQueries).toBe(3);
    expect(device.catalogsSent).toBe(1);
    recordFault({ fault: 'GB28181 catalogue answer lost twice', expected: 2, found: cameras.length, duplicates: 0, recoverySeconds: (Date.now() - started) / 1_000, note: `${device.catalogQueries} Catalog queries` });
  });
});
