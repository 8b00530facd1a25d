import type { DatabaseKind } from '../helpers/databases.ts';
import { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { SimulatedUpperPlatform } from '../../devtools/sim/gat1400/simulated-upper-platform.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { allowPeer, FAST_DELIVERY, PEER_PASSWORD } from './viid-fixtures.ts';

export interface RegisteredPeers {
  t: TestHub;
  device: SimulatedTollgateDevice;
  platform: SimulatedUpperPlatform;
  stop(): Promise<void>;
}

/**
 * A hub with fast deliveries, a simulated 卡口 device registered and an upper platform registered and
 * listening for notifications, both of the traffic department: the set-up of the subscription tests.
 */
export async function startRegisteredPeers(kind: DatabaseKind, ids: { deviceId: string; platformId: string }): Promise<RegisteredPeers> {
  const t = await startTestHub(kind, { overrides: FAST_DELIVERY });
  let device: SimulatedTollgateDevice | undefined;
  let platform: SimulatedUpperPlatform | undefined;
  const stop = async () => {
    await device?.stop();
    await platform?.close();
    await t.stop();
  };
  try {
    await allowPeer(t, { id: ids.deviceId, kind: 'device', departmentId: t.departments.traffic });
    await allowPeer(t, { id: ids.platformId, kind: 'platform', departmentId: t.departments.traffic });
    device = new SimulatedTollgateDevice({ baseUrl: t.url, id: ids.deviceId, password: PEER_PASSWORD, keepaliveMs: 3_600_000 });
    platform = new SimulatedUpperPlatform({ baseUrl: t.url, id: ids.platformId, password: PEER_PASSWORD });
    await platform.listen();
    await device.start();
    const registered = await platform.client.register();
    if (registered.status !== 200) throw new Error(`upper platform registration answered ${registered.status}`);
    return { t, device, platform, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
