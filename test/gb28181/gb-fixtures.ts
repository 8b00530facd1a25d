import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { clipAccessUnits, type AccessUnit } from '../../devtools/sim/gb28181/h264-access-units.ts';
import { SimGbDevice, type SimGbDeviceOptions } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { Gb28181Service } from '../../ingest/gb28181/gb28181-feature.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import type { DatabaseKind } from '../helpers/databases.ts';
import { FAST_RELAY } from '../relay/relay-fixtures.ts';

export const GB_PASSWORD = 'gb-secret-12345';
export const SERVER_ID = '34020000002000000001';
export const DOMAIN = '3402000000';

/** A hub with the GB/T 28181 server on a free port, short keepalive deadlines, the fast relay settings (and any other `overrides`). */
export async function startGbHub(kind: DatabaseKind, gb28181: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Promise<TestHub> {
  return startTestHub(kind, {
    overrides: {
      ...FAST_RELAY,
      ...overrides,
      gb28181: {
        enabled: true, host: '127.0.0.1', port: 0, strict: false, password: GB_PASSWORD, keepaliveIntervalSeconds: 1, keepaliveMisses: 3,
        rtpPortMin: 40_000, rtpPortMax: 40_999, rtpTimeoutSeconds: 3, catalogPartTimeoutSeconds: 2, ...gb28181,
      },
    },
  });
}

export function gbOf(t: TestHub): Gb28181Service {
  const gb = t.hub.services.gb28181;
  if (!gb?.server) throw new Error('GB28181 server missing');
  return gb;
}

let units: AccessUnit[] | undefined;
/** The small preset clip as H.264 access units (built once per worker). */
export async function clipUnits(): Promise<AccessUnit[]> {
  units ??= await clipAccessUnits(await buildPresetClip('small'));
  return units;
}

/** `n` channel IDs of an NVR: same centre code, type 131 (camera). */
export function channelIds(deviceId: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${deviceId.slice(0, 10)}131${deviceId.slice(13, 14)}${String(i + 1).padStart(6, '0')}`);
}

/** A simulated NVR registered to the hub (started: REGISTER done). */
export async function startSimDevice(t: TestHub, deviceId: string, channels: number, extra: Partial<SimGbDeviceOptions> = {}): Promise<SimGbDevice> {
  const device = new SimGbDevice({
    server: { host: '127.0.0.1', port: gbOf(t).server!.port, id: SERVER_ID, domain: DOMAIN },
    deviceId, password: GB_PASSWORD, fps: 15, keepaliveSeconds: 1, units: extra.units ?? [],
    channels: channelIds(deviceId, channels).map((id, i) => ({ id, name: `通道${i + 1} 南门`, address: '滨江路1号', lon: 120.1 + i / 1000, lat: 30.2, ptzType: i === 0 ? 1 : 3 })),
    ...extra,
  });
  await device.start();
  return device;
}
