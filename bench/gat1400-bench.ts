/**
 * GA/T 1400 inbound benchmark: --devices simulated 卡口 devices (default 200, the simulator of
 * devtools/sim/gat1400) register with digest and push POST /VIID/MotorVehicles batches of --batch (50) vehicles,
 * each with its base64 JPEG plate picture, offered at --rate objects/s in total (default 5,000: each device
 * sends a batch every devices × batch / rate seconds, at once when it is behind), for --seconds; every pass and
 * picture is stored. The latency is that of each batch at the offered rate (a hub that cannot keep up falls
 * behind, and its latency grows). Baseline in the same run: the same clients, batch size and offered rate
 * through our native ingest API (POST /api/v1/checkpoint/passes, no pictures: it takes image paths, not data).
 * Prints `viid_objects_per_s= viid_push_ms_p95= rows=` (+ the baseline figures).
 * Usage: npm run bench:gat1400 -- [--devices N] [--batch B] [--rate R] [--seconds S] [--db sqlite|postgres]
 */
import { parseArgs } from 'node:util';
import { deviceCode, TYPE_TOLLGATE_DEVICE } from '../devtools/sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { startTestHub, type TestHub } from '../test/helpers/test-hub.ts';

const { values } = parseArgs({ options: {
  devices: { type: 'string', default: '200' }, batch: { type: 'string', default: '50' }, seconds: { type: 'string', default: '20' },
  rate: { type: 'string', default: '5000' },
  db: { type: 'string', default: 'sqlite' },
} });
const DEVICES = Number(values.devices);
const BATCH = Number(values.batch);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
/** Each client's batch interval at the offered rate. */
const INTERVAL_MS = (1000 * DEVICES * BATCH) / RATE;
const PASSWORD = 'bench-device-password';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `send` per client every INTERVAL_MS (staggered; at once when behind) for `seconds`; returns objects/s and the batch latencies. */
async function pacedLoop(clients: number, seconds: number, send: (client: number) => Promise<{ ok: number; ms: number }>) {
  const latencies: number[] = [];
  let objects = 0;
  let refused = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    let next = started + (INTERVAL_MS * client) / clients;
    while (next < deadline) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      next = Math.max(next + INTERVAL_MS, performance.now());
      // A batch whose connection failed (a reset keep-alive socket on a loaded machine) counts as refused, not as a crash of the run.
      const sentAt = performance.now();
      const { ok, ms } = await send(client).catch(() => ({ ok: 0, ms: performance.now() - sentAt, failed: true }));
      latencies.push(ms);
      objects += ok;
      refused += BATCH - ok;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  // CPU of this process (hub and simulated clients, every thread) per stored object: what a free core would give.
  const cpuMsPerObject = objects ? (cpu.user + cpu.system) / 1000 / objects : 0;
  return { perSecond: objects / elapsed, p95: percentile(latencies, 95), p50: percentile(latencies, 50), batches: latencies.length, refused, cpuMsPerObject, cores: (cpu.user + cpu.system) / 1e6 / elapsed };
}

async function main(): Promise<void> {
  const t: TestHub = await startTestHub(values.db === 'postgres' ? 'postgres' : 'sqlite', {
    // One source address for 200 devices: the connection cap, and the API budget the native baseline (one admin) would hit, are lifted for the run.
    overrides: { http: { rateLimitPerMinute: 1_000_000, maxConnectionsPerIp: 10_000 }, viid: { keepaliveTimeoutSeconds: 600 } },
  });
  try {
    const devices: SimulatedTollgateDevice[] = [];
    for (let i = 0; i < DEVICES; i++) {
      const id = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 1 + i);
      const created = await t.api('/api/v1/viid/peers', { user: t.users.admin, body: { id, kind: 'device', name: `bench ${i}`, departmentId: t.departments.traffic, password: PASSWORD, devices: [id] } });
      if (created.status !== 201) throw new Error(`peer ${id}: ${created.status} ${JSON.stringify(created.body)}`);
      devices.push(new SimulatedTollgateDevice({ baseUrl: t.url, id, password: PASSWORD, keepaliveMs: 60_000 }));
    }
    await Promise.all(devices.map((device) => device.start()));
    // One warm-up batch per device also creates its camera (a 卡口 device without a stream).
    // 20 at a time, each retried: 200 camera creations at once reset connections on a loaded machine.
    for (let i = 0; i < devices.length; i += 20) {
      await Promise.all(devices.slice(i, i + 20).map(async (device) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await device.push(1);
            return;
          } catch (error) {
            if (attempt >= 5) throw error;
          }
        }
      }));
    }

    const viid = await pacedLoop(DEVICES, SECONDS, async (client) => {
      const result = await devices[client]!.push(BATCH);
      return { ok: result.accepted, ms: result.ms };
    });
    const rows = Number((await t.hub.ctx.db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const withImages = Number((await t.hub.ctx.db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll().as('n')).where('crop_image_path', 'is not', null).executeTakeFirstOrThrow()).n);

    // Baseline: native ingest, same clients, same batch size, records on the same cameras.
    const cameraIds = (await t.hub.ctx.db.selectFrom('checkpoint_passes').select('camera_id').distinct().execute()).map((r) => r.camera_id);
    let serial = 0;
    const native = await pacedLoop(DEVICES, SECONDS, async (client) => {
      const now = Date.now();
      const records = Array.from({ length: BATCH }, () => {
        const plate = `苏E${String(serial++ % 100_000).padStart(5, '0')}`;
        return { id: `native-${serial}`, cameraId: cameraIds[client % cameraIds.length]!, passedAt: now, plate, plateColour: 'blue', plateConfidence: 0.9, charConfidences: [...plate].map(() => 0.9), vehicleClass: 'K33', lane: 1 };
      });
      const started = performance.now();
      const response = await fetch(`${t.url}/api/v1/checkpoint/passes`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t.users.admin.token}` }, body: JSON.stringify({ records }),
      });
      const body = (await response.json()) as { inserted?: number };
      return { ok: response.status === 200 ? body.inserted ?? 0 : 0, ms: performance.now() - started };
    });

    await Promise.all(devices.map((device) => device.stop()));
    console.log(`devices=${DEVICES} batch=${BATCH} offered_objects_per_s=${RATE} seconds=${SECONDS} db=${values.db} viid_batches=${viid.batches} viid_refused=${viid.refused} rows_with_images=${withImages} viid_push_ms_p50=${viid.p50.toFixed(1)}`);
    console.log(`cpu: viid ${viid.cpuMsPerObject.toFixed(3)} ms/object (${viid.cores.toFixed(2)} cores busy), native ${native.cpuMsPerObject.toFixed(3)} ms/object (${native.cores.toFixed(2)} cores busy); a machine under other load gives this process fewer cores`);
    console.log(`baseline: native_objects_per_s=${native.perSecond.toFixed(0)} native_ms_p95=${native.p95.toFixed(1)} (no images) native_refused=${native.refused}`);
    console.log(`viid_objects_per_s=${viid.perSecond.toFixed(0)} viid_push_ms_p95=${viid.p95.toFixed(1)} rows=${rows} native_objects_per_s=${native.perSecond.toFixed(0)} native_push_ms_p95=${native.p95.toFixed(1)} viid_cpu_ms_per_object=${viid.cpuMsPerObject.toFixed(3)} native_cpu_ms_per_object=${native.cpuMsPerObject.toFixed(3)}`);
  } finally {
    await t.stop();
  }
}

await main();
