/**
 * The load generator of bench:gat1400, in its own process (forked by gat1400-bench.ts) so that building and
 * serialising 200 devices' base64 batches does not share an event loop, or a core's time slice, with the hub
 * it measures. Driven over IPC, one phase per message: `start` (register + one warm-up push per device),
 * `viid` and `native` (paced loops); each answers its figures and this process's own CPU time.
 */
import { deviceCode, TYPE_TOLLGATE_DEVICE } from '../devtools/sim/gat1400/viid-codes.ts';
import { SimulatedTollgateDevice } from '../devtools/sim/gat1400/simulated-tollgate-device.ts';

export interface LoadSettings {
  url: string;
  devices: number;
  batch: number;
  rate: number;
  seconds: number;
  password: string;
  adminToken: string;
}

/** `seconds` overrides the run's length (a warm-up phase is a shorter one whose figures are dropped). */
export type LoadCommand = { phase: 'start'; settings: LoadSettings } | { phase: 'viid'; seconds?: number } | { phase: 'native'; cameraIds: string[]; seconds?: number } | { phase: 'stop' };

export interface LoopFigures {
  perSecond: number;
  p95: number;
  p50: number;
  batches: number;
  refused: number;
  /** Cores this generator process used during the loop. */
  generatorCores: number;
}

let settings!: LoadSettings;
const devices: SimulatedTollgateDevice[] = [];

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `send` per client every interval (staggered; at once when behind) for the run's seconds. */
async function pacedLoop(send: (client: number) => Promise<{ ok: number; ms: number }>, seconds = settings.seconds): Promise<LoopFigures> {
  const { devices: clients, batch, rate } = settings;
  const interval = (1000 * clients * batch) / rate;
  const latencies: number[] = [];
  let objects = 0;
  let refused = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    let next = started + (interval * client) / clients;
    while (next < deadline) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      next = Math.max(next + interval, performance.now());
      // A batch whose connection failed (a reset keep-alive socket on a loaded machine) counts as refused, not as a crash of the run.
      const sentAt = performance.now();
      const { ok, ms } = await send(client).catch(() => ({ ok: 0, ms: performance.now() - sentAt }));
      latencies.push(ms);
      objects += ok;
      refused += batch - ok;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: objects / elapsed, p95: percentile(latencies, 95), p50: percentile(latencies, 50), batches: latencies.length, refused, generatorCores: (cpu.user + cpu.system) / 1e6 / elapsed };
}

async function start(): Promise<void> {
  for (let i = 0; i < settings.devices; i++) {
    const id = deviceCode('65010000', TYPE_TOLLGATE_DEVICE, 1 + i);
    devices.push(new SimulatedTollgateDevice({ baseUrl: settings.url, id, password: settings.password, keepaliveMs: 60_000 }));
  }
  // Registered 10 at a time: registrations in flight from one address count against the digest throttle's
  // per-address budget until they succeed (as logins do), and on PostgreSQL 200 at once stay in flight long
  // enough to be throttled (429).
  for (let i = 0; i < devices.length; i += 10) await Promise.all(devices.slice(i, i + 10).map((device) => device.start()));
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
}

function viid(seconds?: number): Promise<LoopFigures> {
  return pacedLoop(async (client) => {
    // The batch is built before the clock starts: its latency is the hub's, not the generator's.
    const device = devices[client]!;
    const result = await device.push(settings.batch, device.vehicles.batch(settings.batch));
    return { ok: result.accepted, ms: result.ms };
  }, seconds);
}

/** Native record ids go on across phases (a warm-up's records are not sent again as duplicates). */
let nativeSerial = 0;

function native(cameraIds: string[], seconds?: number): Promise<LoopFigures> {
  return pacedLoop(async (client) => {
    const now = Date.now();
    const records = Array.from({ length: settings.batch }, () => {
      const plate = `苏E${String(nativeSerial++ % 100_000).padStart(5, '0')}`;
      return { id: `native-${nativeSerial}`, cameraId: cameraIds[client % cameraIds.length]!, passedAt: now, plate, plateColour: 'blue', plateConfidence: 0.9, charConfidences: [...plate].map(() => 0.9), vehicleClass: 'K33', lane: 1 };
    });
    const body = JSON.stringify({ records });
    const started = performance.now();
    const response = await fetch(`${settings.url}/api/v1/checkpoint/passes`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.adminToken}` }, body,
    });
    const reply = (await response.json()) as { inserted?: number };
    return { ok: response.status === 200 ? reply.inserted ?? 0 : 0, ms: performance.now() - started };
  }, seconds);
}

process.on('message', (command: LoadCommand) => {
  const run = async (): Promise<unknown> => {
    switch (command.phase) {
      case 'start':
        settings = command.settings;
        await start();
        return { started: devices.length };
      case 'viid':
        return viid(command.seconds);
      case 'native':
        return native(command.cameraIds, command.seconds);
      case 'stop':
        await Promise.all(devices.map((device) => device.stop()));
        return { stopped: true };
    }
  };
  run().then((result) => process.send!({ ok: true, result }), (error: unknown) => process.send!({ ok: false, error: String((error as Error)?.stack ?? error) }));
});
