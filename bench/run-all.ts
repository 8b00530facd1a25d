import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

/**
 * `npm run bench`: every benchmark in turn, each as its own process (so one's memory and threads never
 * weigh on the next), their own tables passed through, then one summary of the figures the issues set
 * as targets. Each benchmark measures its own baseline in the same run and prints the ratios.
 * --quick runs smaller sizes (for a smoke run; the targets are judged on the full sizes).
 */
const { values } = parseArgs({ options: {
  quick: { type: 'boolean' }, only: { type: 'string', multiple: true }, help: { type: 'boolean' },
} });
if (values.help) {
  console.log('Usage: npm run bench -- [--quick] [--only ingest|relay|record|analytics|checkpoint|checkpoint-scale|gat1400|catalogue|gb28181|cluster|soak ...]');
  process.exit(0);
}

/** fullRunOnly: the figure means nothing at --quick sizes (e.g. a memory slope over one minute). */
interface Target { key: string; op: '<=' | '>=' | '='; value: number; what: string; fullRunOnly?: boolean }
interface Bench { name: string; script: string; args: string[]; quickArgs: string[]; targets: Target[] }

const BENCHES: Bench[] = [
  { name: 'ingest', script: 'bench/ingest-bench.ts', args: [], quickArgs: ['--count', '10'],
    targets: [{ key: 'seconds', op: '<=', value: 10, what: '50 cameras discovered and adopted' }] },
  { name: 'relay', script: 'bench/relay-bench.ts', args: [], quickArgs: ['--streams', '5', '--viewers', '20', '--seconds', '10', '--cold', '3'],
    targets: [
      { key: 'cpu_cores', op: '<=', value: 1, what: '50 streams relayed' },
      { key: 'first_segment_ms_p50', op: '<=', value: 2500, what: 'play → first HLS segment' },
      { key: 'flv_first_frame_ms_p50', op: '<=', value: 1000, what: 'play → first FLV frame' },
    ] },
  { name: 'record', script: 'bench/record-bench.ts', args: [], quickArgs: ['--cameras', '5', '--seconds', '30', '--seeks', '10'],
    targets: [
      { key: 'record_added_cores', op: '<=', value: 0.3, what: '50 cameras recording over relay alone' },
      { key: 'seek_ms_p50', op: '<=', value: 1000, what: 'seek: playback session → VOD playlist → first segment bytes' },
      { key: 'export_60s_ms', op: '<=', value: 3000, what: '60 s evidence export to a finished MP4', fullRunOnly: true },
    ] },
  { name: 'analytics', script: 'bench/analytics-bench.ts', args: [], quickArgs: ['--frames', '60'],
    targets: [
      { key: 'detections_per_s', op: '>=', value: 50, what: 'person/vehicle frames/s, worker pool' },
      { key: 'plate_ms_p50', op: '<=', value: 40, what: 'one plate in 1080p, one core' },
      { key: 'crowd_ms_p50', op: '<=', value: 80, what: 'crowd density map of a 1080p frame, one core' },
    ] },
  { name: 'checkpoint', script: 'bench/checkpoint-bench.ts', args: [], quickArgs: ['--rows', '200000', '--ingest', '20000'],
    targets: [
      { key: 'ingest_rows_per_s', op: '>=', value: 20_000, what: 'batched ingest, SQLite and PostgreSQL' },
      { key: 'plate_query_ms_p95', op: '<=', value: 20, what: 'exact plate query' },
      { key: 'fuzzy_query_ms_p95', op: '<=', value: 200, what: 'fuzzy plate query' },
    ] },
  { name: 'checkpoint-scale', script: 'bench/checkpoint-bench.ts', args: ['--partitioned', '--rows', '100000000'], quickArgs: ['--partitioned', '--rows', '1000000', '--baseline-rows', '500000', '--ingest', '20000'],
    targets: [
      { key: 'ingest_rows_per_s', op: '>=', value: 50_000, what: 'COPY ingest into the day-partitioned PostgreSQL table' },
      { key: 'plate_query_ms_p95', op: '<=', value: 50, what: 'exact plate, 30-day window, 100 million rows' },
      { key: 'fuzzy_query_ms_p95', op: '<=', value: 300, what: 'fuzzy plate, 30-day window, 100 million rows' },
      { key: 'retention_drop_day_ms', op: '<=', value: 1_000, what: 'retention of one day (partition dropped)' },
    ] },
  { name: 'gat1400', script: 'bench/gat1400-bench.ts', args: [], quickArgs: ['--devices', '20', '--seconds', '5', '--rate', '1000'],
    targets: [
      { key: 'viid_objects_per_s', op: '>=', value: 5_000, what: 'GA/T 1400 MotorVehicles with images stored, 200 devices' },
      { key: 'viid_push_ms_p95', op: '<=', value: 200, what: 'one POST /VIID/MotorVehicles batch of 50' },
    ] },
  { name: 'catalogue', script: 'bench/catalogue-bench.ts', args: [], quickArgs: ['--cameras', '2000'],
    targets: [
      { key: 'page_ms_p95', op: '<=', value: 200, what: 'a catalogue page (search, filters, area) of 20,000 cameras' },
      { key: 'map_5000_ms_p95', op: '<=', value: 1000, what: 'the map\'s 5,000 cameras at once' },
    ] },
  { name: 'gb28181', script: 'bench/gb28181-bench.ts', args: [], quickArgs: ['--devices', '2', '--channels', '5', '--played', '4', '--seconds', '8', '--cold', '3'],
    targets: [
      { key: 'gb_register_s', op: '<=', value: 10, what: '200 GB channels registered and catalogued' },
      { key: 'gb_invite_ms_p50', op: '<=', value: 1500, what: 'INVITE → first FLV frame' },
      { key: 'gb_cpu_ratio', op: '<=', value: 1.5, what: 'GB stream CPU vs the RTSP relay of the same streams' },
    ] },
  { name: 'cluster', script: 'bench/cluster-bench.ts', args: [], quickArgs: ['--nodes', '3', '--cameras', '9'],
    targets: [
      { key: 'failover_s_max', op: '<=', value: 15, what: 'kill -9 of a node → its cameras pulled by the others' },
      { key: 'pulls_per_camera_max', op: '=', value: 1, what: 'nodes pulling one camera at once' },
    ] },
  // Whole pipeline for 10 minutes. RSS growth is the least-squares slope over the second half, once models
  // and frame rings are in place. Bound 2 MB/min = 20 MB over the run: about the jitter of one RSS sample
  // under load (±20 MB around a flat line, heap flat), yet reached by a leak as small as one 1080p frame
  // buffer (6 MB) every 3 minutes.
  { name: 'soak', script: 'bench/pipeline-soak.ts', args: [], quickArgs: ['--minutes', '1', '--baseline-minutes', '0.5'],
    targets: [{ key: 'rss_growth_mb_per_min', op: '<=', value: 2, what: 'hub RSS growth, whole pipeline at full load', fullRunOnly: true }] },
];

/** The last `key=value key=value` line a benchmark prints. */
function figures(output: string): Map<string, number> {
  const lines = output.trim().split('\n').reverse();
  const last = lines.find((line) => /^(\w+=[-\d.]+\s*)+$/.test(line.trim())) ?? '';
  return new Map(last.trim().split(/\s+/).filter(Boolean).map((pair) => {
    const [key, value] = pair.split('=');
    return [key!, Number(value)];
  }));
}

function run(bench: Bench): Promise<{ code: number | null; output: string }> {
  const args = ['--import', 'tsx', bench.script, ...(values.quick ? bench.quickArgs : bench.args)];
  console.log(`\n=== bench:${bench.name} (${args.slice(2).join(' ') || 'defaults'}) ===`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code, output }));
  });
}

const selected = BENCHES.filter((b) => !values.only?.length || values.only.includes(b.name));
const summary: string[][] = [];
let failed = false;
for (const bench of selected) {
  const { code, output } = await run(bench);
  const found = figures(output);
  if (code !== 0) failed = true;
  for (const target of bench.targets) {
    const value = found.get(target.key);
    const met = value !== undefined && (target.op === '<=' ? value <= target.value : target.op === '>=' ? value >= target.value : value === target.value);
    const judged = !(values.quick && target.fullRunOnly);
    if (!met && judged) failed = true;
    const status = !judged ? 'not judged (--quick)' : met ? 'met' : 'NOT MET';
    summary.push([bench.name, target.key, value === undefined ? `missing (exit ${code})` : String(value), `${target.op} ${target.value}`, status, target.what]);
  }
}

const header = ['bench', 'figure', 'value', 'target', 'status', 'what'];
const widths = header.map((h, i) => Math.max(h.length, ...summary.map((row) => row[i]!.length)));
const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
console.log(`\n=== summary${values.quick ? ' (--quick: smaller sizes, targets are for the full run)' : ''} ===`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of summary) console.log(line(row));
process.exitCode = failed ? 1 : 0;
