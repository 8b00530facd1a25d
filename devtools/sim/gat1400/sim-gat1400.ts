import { parseArgs } from 'node:util';
import { deviceCode, TYPE_TOLLGATE_DEVICE } from './viid-codes.ts';
import { SimulatedTollgateDevice } from './simulated-tollgate-device.ts';
import { SimulatedUpperPlatform } from './simulated-upper-platform.ts';

const HELP = `Usage: npm run sim:gat1400 -- [options]

Simulated GA/T 1400 (视图库) peers against a hub (or any 视图库): N 卡口 devices register with HTTP digest,
keep alive and push MotorVehicle batches with base64 JPEG plate pictures from media/; optionally an upper
platform registers, subscribes to motor vehicles and prints each notification it receives.
The hub must know every peer (ID, digest credentials) first: see the README, "GA/T 1400 peers".

Options:
  --url URL            the 视图库's base URL (default http://127.0.0.1:8080)
  --devices N          number of 卡口 devices (default 2, max 1000)
  --rate R             vehicles per second per device (default 1; 0 = register and keep alive only)
  --batch B            vehicles per POST /VIID/MotorVehicles (default 1)
  --area CODE          8-digit area code of the device IDs (default 65010000)
  --first-serial N     serial of the first device ID (default 1); IDs are <area>00119<serial:7>
  --password PASS      digest password of every device (username = its 20-digit ID) (default viid-sim-pass)
  --scene              also send the 1080p scene picture (SubImage type 01; ~0.5 MB per vehicle)
  --platform ID        also run an upper platform with this 20-digit ID that subscribes and receives
  --platform-password  its digest password (default: --password)
  --receiver-port N    port of the platform's notification receiver (default any free port)
  --fail-first N       the platform answers StatusCode 2 to its first N notifications (tests retries)
  --seconds S          stop after S seconds (default: run until Ctrl-C)
  -h, --help           this help
`;

function fail(message: string): never {
  console.error(`sim:gat1400: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      devices: { type: 'string', default: '2' },
      rate: { type: 'string', default: '1' },
      batch: { type: 'string', default: '1' },
      area: { type: 'string', default: '65010000' },
      'first-serial': { type: 'string', default: '1' },
      password: { type: 'string', default: 'viid-sim-pass' },
      scene: { type: 'boolean', default: false },
      platform: { type: 'string' },
      'platform-password': { type: 'string' },
      'receiver-port': { type: 'string', default: '0' },
      'fail-first': { type: 'string', default: '0' },
      seconds: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void process.stdout.write(HELP);
  const devices = Number(values.devices);
  const rate = Number(values.rate);
  const batch = Number(values.batch);
  const firstSerial = Number(values['first-serial']);
  if (!Number.isInteger(devices) || devices < 0 || devices > 1000) fail('--devices must be 0..1000');
  if (!Number.isFinite(rate) || rate < 0) fail('--rate must be a number ≥ 0');
  if (!Number.isInteger(batch) || batch < 1 || batch > 1000) fail('--batch must be 1..1000');
  if (!/^\d{8}$/.test(values.area)) fail('--area must be 8 digits');
  if (values.platform !== undefined && !/^\d{20}$/.test(values.platform)) fail('--platform must be a 20-digit ID');

  let platform: SimulatedUpperPlatform | undefined;
  if (values.platform) {
    platform = new SimulatedUpperPlatform({ baseUrl: values.url, id: values.platform, password: values['platform-password'] ?? values.password });
    platform.failNext = Number(values['fail-first']);
    await platform.listen(Number(values['receiver-port']));
    const registered = await platform.client.register();
    if (!platform.client.registered) fail(`platform register answered ${registered.status} ${JSON.stringify(registered.body)}`);
    const { subscribeId, reply } = await platform.subscribe();
    console.log(`platform ${values.platform} subscribed ${subscribeId} → ${reply.status} ${JSON.stringify(reply.statuses)}; receiving at ${platform.receiveAddr}`);
    const printed = { count: 0 };
    setInterval(() => {
      for (const n of platform!.received.slice(printed.count)) {
        console.log(`notification ${n.notificationId} (${n.subscribeId}): ${n.vehicles.length} vehicles, answered StatusCode ${n.answered}`);
      }
      printed.count = platform!.received.length;
    }, 1000).unref();
  }

  const sims = Array.from({ length: devices }, (_, i) => new SimulatedTollgateDevice({
    baseUrl: values.url, id: deviceCode(values.area, TYPE_TOLLGATE_DEVICE, firstSerial + i), password: values.password, withScene: values.scene,
  }));
  await Promise.all(sims.map(async (device) => {
    await device.start();
    console.log(`device ${device.id} registered`);
  }));

  const stats = { pushed: 0, accepted: 0, failed: 0 };
  const timers: NodeJS.Timeout[] = [];
  if (rate > 0) {
    const everyMs = (1000 * batch) / rate;
    for (const device of sims) {
      timers.push(setInterval(() => {
        device.push(batch).then((result) => {
          stats.pushed += result.objects;
          stats.accepted += result.accepted;
          if (result.accepted < result.objects) stats.failed += result.objects - result.accepted;
        }).catch((error: Error) => { stats.failed += batch; console.error(`${device.id}: ${error.message}`); });
      }, everyMs));
    }
    timers.push(setInterval(() => console.log(`pushed=${stats.pushed} accepted=${stats.accepted} refused=${stats.failed}`), 5000));
  }

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    for (const timer of timers) clearInterval(timer);
    await Promise.all(sims.map((device) => device.stop()));
    await platform?.close();
    console.log(`stopped: pushed=${stats.pushed} accepted=${stats.accepted} refused=${stats.failed}`);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  if (values.seconds) setTimeout(() => void shutdown(), Number(values.seconds) * 1000);
}

await main();
