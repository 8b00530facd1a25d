/**
 * GA/T 1400 inbound benchmark: --devices simulated 卡口 devices (default 200, the simulator of
 * devtools/sim/gat1400) register with digest and push POST /VIID/MotorVehicles batches of --batch (50) vehicles,
 * each with its base64 JPEG plate picture, offered at --rate objects/s in total (default 5,000: each device
 * sends a batch every devices × batch / rate seconds, at once when it is behind), for --seconds; every pass and
 * picture is stored. The latency is that of each batch at the offered rate (a hub that cannot keep up falls
 * behind, and its latency grows). Baseline in the same run: the same clients, batch size and offered rate
 * through our native ingest API (POST /api/v1/checkpoint/passes, no pictures: it takes image paths, not data).
 * The simulated devices run in a child process (gat1400-load.ts): the hub's process only serves, and the
 * generator's CPU share is printed beside the hub's.
 * Prints `viid_objects_per_s= viid_push_ms_p95= rows=` (+ the baseline figures).
 * Each phase is preceded by --warmup seconds (5) at the offered rate, not measured (rows= counts those too).
 * Usage: npm run bench:gat1400 -- [--devices N] [--batch B] [--rate R] [--seconds S] [--warmup S] [--db sqlite|postgres]
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { deviceCode, TYPE_TOLLGATE_DEVICE } from '../devtools/sim/gat1400/viid-codes.ts';
import { startTestHub, type TestHub } from '../test/helpers/test-hub.ts';
import type { LoadCommand, LoopFigures } from './gat1400-load.ts';

const { values } = parseArgs({ options: {
  devices: { type: 'string', default: '200' }, batch: { type: 'string', default: '50' }, seconds: { type: 'string', default: '20' },
  rate: { type: 'string', default: '5000' }, warmup: { type: 'string', default: '5' },
  db: { type: 'string', default: 'sqlite' },
} });
const DEVICES = Number(values.devices);
const BATCH = Number(values.batch);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const WARMUP = Number(values.warmup);
const PASSWORD = 'bench-device-password';

/** The forked generator, one command at a time. */
function loadGenerator() {
  const child = fork(new URL('./gat1400-load.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const send = <T>(command: LoadCommand): Promise<T> => new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (reply: { ok: boolean; result?: T; error?: string }) => {
      child.off('exit', onExit);
      if (reply.ok) resolve(reply.result as T);
      else reject(new Error(`load generator: ${reply.error}`));
    });
    child.send(command);
  });
  return { child, send };
}

/** Runs one generator phase and measures the hub process's CPU (every thread) meanwhile. */
async function measured(phase: () => Promise<LoopFigures>): Promise<LoopFigures & { hubCores: number; hubCpuMsPerObject: number; load: number }> {
  const before = process.cpuUsage();
  const started = performance.now();
  const figures = await phase();
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(before);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const objects = figures.perSecond * elapsed;
  return { ...figures, hubCores: cpuMs / 1000 / elapsed, hubCpuMsPerObject: objects ? cpuMs / objects : 0, load: loadavg()[0]! };
}

async function main(): Promise<void> {
  const t: TestHub = await startTestHub(values.db === 'postgres' ? 'postgres' : 'sqlite', {
    // One source address for 200 devices: the connection cap, and the API budget the native baseline (one admin) would hit, are lifted for the run.
    overrides: { http: { rateLimitPerMinute: 1_000_000, maxConnectionsPerIp: 10_000 }, viid: { keepaliveTimeoutSeconds: 600 } },
  });
  const generator = loadGenerator();
  try {
    for (let i = 0; i < DEVICES; i++) {
      const id = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 1 + i);
      const created = await t.api('/api/v1/viid/peers', { user: t.users.admin, body: { id, kind: 'device', name: `bench ${i}`, departmentId: t.departments.traffic, password: PASSWORD, devices: [id] } });
      if (created.status !== 201) throw new Error(`peer ${id}: ${created.status} ${JSON.stringify(created.body)}`);
    }
    await generator.send({ phase: 'start', settings: { url: t.url, devices: DEVICES, batch: BATCH, rate: RATE, seconds: SECONDS, password: PASSWORD, adminToken: t.users.admin.token } });

    // Warm-up at the offered rate, not measured: the hub's and its writer threads' code is compiled and
    // optimised under load first, as in a hub that has been running (measured: the first seconds of a cold
    // hub held batches up to 450 ms in the writer threads, the rest of the run under 25 ms).
    if (WARMUP > 0) await generator.send<LoopFigures>({ phase: 'viid', seconds: WARMUP });
    const viid = await measured(() => generator.send<LoopFigures>({ phase: 'viid' }));
    const rows = Number((await t.hub.ctx.db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const withImages = Number((await t.hub.ctx.db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll().as('n')).where('crop_image_path', 'is not', null).executeTakeFirstOrThrow()).n);

    // Baseline: native ingest, same clients, same batch size, records on the same cameras.
    const cameraIds = (await t.hub.ctx.db.selectFrom('checkpoint_passes').select('camera_id').distinct().execute()).map((r) => r.camera_id);
    if (WARMUP > 0) await generator.send<LoopFigures>({ phase: 'native', cameraIds, seconds: WARMUP });
    const native = await measured(() => generator.send<LoopFigures>({ phase: 'native', cameraIds }));
    await generator.send({ phase: 'stop' });

    console.log(`devices=${DEVICES} batch=${BATCH} offered_objects_per_s=${RATE} seconds=${SECONDS} warmup_seconds=${WARMUP} db=${values.db} viid_batches=${viid.batches} viid_refused=${viid.refused} rows_with_images=${withImages} viid_push_ms_p50=${viid.p50.toFixed(1)}`);
    console.log(`cpu: hub viid ${viid.hubCpuMsPerObject.toFixed(3)} ms/object (${viid.hubCores.toFixed(2)} cores), generator ${viid.generatorCores.toFixed(2)} cores; hub native ${native.hubCpuMsPerObject.toFixed(3)} ms/object (${native.hubCores.toFixed(2)} cores), generator ${native.generatorCores.toFixed(2)} cores; load average ${viid.load.toFixed(1)} / ${native.load.toFixed(1)} at the end of each phase`);
    console.log(`baseline: native_objects_per_s=${native.perSecond.toFixed(0)} native_ms_p95=${native.p95.toFixed(1)} (no images) native_refused=${native.refused} viid/native=${(viid.perSecond / Math.max(1, native.perSecond)).toFixed(2)}`);
    console.log(`viid_objects_per_s=${viid.perSecond.toFixed(0)} viid_push_ms_p95=${viid.p95.toFixed(1)} rows=${rows} native_objects_per_s=${native.perSecond.toFixed(0)} native_push_ms_p95=${native.p95.toFixed(1)} viid_cpu_ms_per_object=${viid.hubCpuMsPerObject.toFixed(3)} native_cpu_ms_per_object=${native.hubCpuMsPerObject.toFixed(3)}`);
  } finally {
    generator.child.kill();
    await t.stop();
  }
}

await main();
