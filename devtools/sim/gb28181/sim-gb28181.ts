import { parseArgs } from 'node:util';
import { buildPresetClip } from '../clip-presets.ts';
import { clipAccessUnits } from './h264-access-units.ts';
import { SimGbDevice } from './sim-gb-device.ts';

const HELP = `Usage: npm run sim:gb28181 -- [options]

Starts simulated GB/T 28181 devices (NVRs) on 127.0.0.1 that register over SIP (UDP or TCP) to a platform (the hub),
keep alive, answer Catalog, DeviceInfo, RecordInfo and PresetQuery, and answer INVITEs (live and Playback, with
MediaStatus 121 at the end of a recording) with PS over RTP from a real H.264 clip.
Runs until Ctrl-C / SIGTERM.

Options:
  --devices N          number of NVRs (default 1, max 200)
  --channels M         channels (cameras, type 131) per NVR (default 4, max 1000)
  --server HOST:PORT   the platform's SIP address (default 127.0.0.1:5060)
  --server-id ID       the platform's 20-digit SIP ID (default 34020000002000000001)
  --domain D           the platform's SIP domain (default 3402000000)
  --password P         REGISTER password (default 12345678)
  --first-id ID        the first NVR's 20-digit ID (type 118; default 34020000001180000001)
  --keepalive S        keepalive period in seconds (default 60)
  --charset C          GB2312 or UTF-8 bodies (default GB2312)
  --sip-transport T    udp or tcp (one TCP connection per device to the platform's port; default udp)
  -h, --help           this help
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '1' }, channels: { type: 'string', default: '4' }, server: { type: 'string', default: '127.0.0.1:5060' },
      'server-id': { type: 'string', default: '34020000002000000001' }, domain: { type: 'string', default: '3402000000' },
      password: { type: 'string', default: '12345678' }, 'first-id': { type: 'string', default: '34020000001180000001' },
      keepalive: { type: 'string', default: '60' }, charset: { type: 'string', default: 'GB2312' }, 'sip-transport': { type: 'string', default: 'udp' }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const devices = Number(values.devices);
  const channels = Number(values.channels);
  const [host, portText] = values.server.split(':');
  const port = Number(portText);
  if (!Number.isInteger(devices) || devices < 1 || devices > 200) fail('--devices must be 1-200');
  if (!Number.isInteger(channels) || channels < 1 || channels > 1_000) fail('--channels must be 1-1000');
  if (!host || !Number.isInteger(port) || port < 1 || port > 65_535) fail('--server must be HOST:PORT');
  if (!/^\d{20}$/.test(values['server-id']) || !/^\d{20}$/.test(values['first-id'])) fail('IDs must be 20 digits');
  if (values.charset !== 'GB2312' && values.charset !== 'UTF-8') fail('--charset must be GB2312 or UTF-8');
  const sipTransport = values['sip-transport'];
  if (sipTransport !== 'udp' && sipTransport !== 'tcp') fail('--sip-transport must be udp or tcp');
  console.log('building the clip if needed...');
  const units = await clipAccessUnits(await buildPresetClip('small'));
  const first = BigInt(values['first-id']);
  const sims: SimGbDevice[] = [];
  for (let d = 0; d < devices; d++) {
    const deviceId = String(first + BigInt(d)).padStart(20, '0');
    sims.push(new SimGbDevice({
      server: { host, port, id: values['server-id'], domain: values.domain }, deviceId, password: values.password, units, fps: 15,
      keepaliveSeconds: Number(values.keepalive), charset: values.charset, sipTransport,
      channels: Array.from({ length: channels }, (_, c) => ({
        id: `${deviceId.slice(0, 10)}131${deviceId.slice(13, 14)}${String(d * channels + c + 1).padStart(6, '0')}`,
        name: `模拟NVR${d + 1} 通道${c + 1}`, address: `模拟路${c + 1}号`, lon: 120.15 + (d * channels + c) * 0.001, lat: 30.28, ptzType: c === 0 ? 1 : 3,
      })),
    }));
  }
  // Real devices register on their own clocks, not one after the other: all start at once.
  await Promise.all(sims.map(async (sim) => {
    try {
      await sim.start();
      console.log(`${sim.id}  registered  ${channels} channels  SIP 127.0.0.1:${sim.port}`);
    } catch (error) {
      console.log(`${sim.id}  did not register: ${(error as Error).message}`);
    }
  }));
  const shutdown = () => {
    for (const sim of sims) sim.kill();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
