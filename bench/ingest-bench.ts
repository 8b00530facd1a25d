import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createAuthFeature } from '../api/auth/auth-feature.ts';
import { loadConfig } from '../api/config/load-config.ts';
import { createDirectoryFeature } from '../api/directory/directory-feature.ts';
import { Hub } from '../api/hub/hub.ts';
import { createIngestFeature } from '../ingest/ingest-feature.ts';
import { createCameraFeature } from '../ingest/registry/camera-feature.ts';
import { startSimulatedCameras, type SimulatedCameras } from '../ingest/sim/sim-cameras.ts';

/**
 * Ingest benchmark: N simulated ONVIF cameras (real WS-Discovery over UDP, SOAP over HTTP, RTSP from
 * gst-rtsp-server) discovered and adopted through the hub's HTTP API, on a scratch SQLite hub.
 * Baseline, same run and machine: the same discover + adopt with one adoption at a time, on a fresh hub.
 * Target: 50 cameras discovered and adopted in under 10 s. Last line: `discovered=<n> seconds=<s>`.
 */
const { values } = parseArgs({ options: { count: { type: 'string', default: '50' }, concurrency: { type: 'string', default: '8' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('Usage: npm run bench:ingest -- [--count 50] [--concurrency 8]');
  process.exit(0);
}
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const TARGET_SECONDS = 10;
const PASSWORD = randomBytes(12).toString('base64url');

interface RunResult { discovered: number; adopted: number; discoverSeconds: number; adoptSeconds: number; totalSeconds: number }

async function startHub(): Promise<{ hub: Hub; dataDir: string; token: string; departmentId: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir, http: { host: '127.0.0.1', port: 0 }, database: { url: `sqlite:${join(dataDir, 'hub.sqlite')}` },
      auth: { tokenSecret: randomBytes(32).toString('base64url') }, credentials: { encryptionKey: randomBytes(32).toString('base64url') },
      admin: { username: 'admin', password: PASSWORD }, log: { level: 'warn' },
    },
  });
  const hub = await Hub.start({ config, features: [createAuthFeature, createDirectoryFeature, createCameraFeature, createIngestFeature], logger: pino({ level: 'warn' }) });
  const departmentId = randomUUID();
  await hub.ctx.db.insertInto('departments').values({ id: departmentId, name: 'Public Security Bureau', kind: 'public_security', is_government: 1, created_at: Date.now() }).execute();
  const login = await fetch(`${hub.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  const { token } = (await login.json()) as { token: string };
  return { hub, dataDir, token, departmentId };
}

async function discoverAndAdopt(sim: SimulatedCameras, concurrency: number): Promise<RunResult> {
  const { hub, dataDir, token, departmentId } = await startHub();
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${hub.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const json = (await response.json()) as any;
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const started = performance.now();
    const scan = await post('/discovery/scan', { targets: sim.cameras.map((c) => `${c.discovery.host}:${c.discovery.port}`), multicast: false, timeoutMs: 5_000 });
    const discovered = performance.now();
    const queue = [...scan.candidates] as Array<{ id: string; name: string }>;
    let adopted = 0;
    const worker = async () => {
      for (let candidate = queue.shift(); candidate; candidate = queue.shift()) {
        await post(`/discovery/candidates/${candidate.id}/adopt`, { departmentId, category: 'public_security', username: sim.username, password: sim.password, lat: 31.23, lon: 121.47 });
        adopted++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const done = performance.now();
    return { discovered: scan.candidates.length, adopted, discoverSeconds: (discovered - started) / 1000, adoptSeconds: (done - discovered) / 1000, totalSeconds: (done - started) / 1000 };
  } finally {
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => n.toFixed(2);
const sim = await startSimulatedCameras({ count: COUNT, targetsFile: false, namePrefix: 'Bench camera' });
try {
  const baseline = await discoverAndAdopt(sim, 1);
  const result = await discoverAndAdopt(sim, CONCURRENCY);
  const rows: Array<[string, string, string, string]> = [
    ['cameras discovered', String(result.discovered), String(COUNT), `${fmt(result.discovered / COUNT)}`],
    ['cameras adopted', String(result.adopted), String(COUNT), `${fmt(result.adopted / COUNT)}`],
    ['discovery scan (s)', fmt(result.discoverSeconds), '-', `${fmt(baseline.discoverSeconds / result.discoverSeconds)}x vs baseline ${fmt(baseline.discoverSeconds)}`],
    [`adoption, ${CONCURRENCY} at a time (s)`, fmt(result.adoptSeconds), '-', `${fmt(baseline.adoptSeconds / result.adoptSeconds)}x vs sequential ${fmt(baseline.adoptSeconds)}`],
    ['discover + adopt total (s)', fmt(result.totalSeconds), `< ${TARGET_SECONDS}`, `${fmt(baseline.totalSeconds / result.totalSeconds)}x vs sequential ${fmt(baseline.totalSeconds)}`],
    ['adoptions per second', fmt(result.adopted / result.adoptSeconds), '-', `${fmt(result.adopted / result.adoptSeconds / (baseline.adopted / baseline.adoptSeconds))}x`],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...[['metric', 'value', 'target', 'ratio'][i]!.length, ...rows.map((r) => r[i]!.length)]));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  console.log(`\ningest bench: ${COUNT} simulated ONVIF cameras, SQLite hub, ${CONCURRENCY} concurrent adoptions (baseline: 1)`);
  console.log(line(['metric', 'value', 'target', 'ratio']));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
  console.log(`verdict: ${result.discovered === COUNT && result.adopted === COUNT && result.totalSeconds < TARGET_SECONDS ? 'PASS' : 'FAIL'}`);
  console.log(`discovered=${result.discovered} seconds=${fmt(result.totalSeconds)}`);
} finally {
  await sim.stop();
}
