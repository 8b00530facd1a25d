import { parseArgs } from 'node:util';
import { buildPresetClip } from '../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../devtools/sim/rtsp-server.ts';
import { rtspConnections } from '../test/relay/relay-fixtures.ts';
import { ClusterViewer, keepWatching } from '../test/cluster/cluster-viewer.ts';
import { HubCluster } from '../test/cluster/hub-cluster.ts';

/**
 * Cluster benchmark (issue 19): hub nodes as separate processes on one PostgreSQL and one Redis, simulated
 * cameras (copy relay, no transcoding) kept pulled by HLS viewers entering through every node.
 * - baseline, same run, after the cluster part (the simulator's first sessions are slow to start, so it is
 *   warm for both): ONE node (cluster on) from the viewers' first play to every camera pulled;
 * - the cluster: the same for N nodes, then kill -9 of the node with most cameras (its ffmpegs with it):
 *   seconds from the kill until each of its cameras is pulled by another node (p50, max);
 * - pulls_per_camera_max: the most nodes seen pulling one camera at once, sampled every 250 ms through the
 *   whole cluster run (1 = never pulled twice), checked against the simulator's RTSP session count;
 * - rtsp_plays_before_kill: RTSP sessions (PLAYs) the simulator saw from the start until the kill, for all
 *   cameras (= cameras when no pull was started twice, moved or restarted), with the cameras more than one
 *   node pulled and the ffmpeg restarts in place (a stall on a loaded machine) over the same time.
 */
const { values } = parseArgs({ options: { nodes: { type: 'string' }, cameras: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('Usage: npm run bench:cluster -- [--nodes 3] [--cameras 30]');
  process.exit(0);
}
const NODES = Number(values.nodes ?? 3);
const CAMERAS = Number(values.cameras ?? 30);
const ENV = { HUB_INGEST_HEALTH_INTERVAL_MS: '3600000', HUB_RELAY_IDLE_STOP_SECONDS: '5', HUB_RELAY_VIEWER_IDLE_SECONDS: '10', HUB_RELAY_MAX_SESSIONS_PER_USER: '1000' };
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(everyMs);
  }
}

async function pullCounts(cluster: HubCluster): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const streams of (await cluster.pulls()).values()) for (const id of streams) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

async function recordPullers(cluster: HubCluster, pulledBy: Map<string, Set<string>>, restarts: Map<string, number>): Promise<void> {
  await Promise.all(cluster.live.map(async (m) => {
    const body = (await m.process.api(m.token, '/api/v1/relay/streams')).body;
    for (const s of (Array.isArray(body) ? body : []) as Array<{ streamId: string; restarts: number }>) {
      pulledBy.set(s.streamId, new Set([...(pulledBy.get(s.streamId) ?? []), m.id]));
      restarts.set(`${m.id}/${s.streamId}`, Math.max(restarts.get(`${m.id}/${s.streamId}`) ?? 0, s.restarts));
    }
  }));
}

async function addCameras(cluster: HubCluster, rtsp: RtspServerHandle, mounts: string[]): Promise<string[]> {
  const first = cluster.members[0]!;
  const dept = await first.process.api(first.token, '/api/v1/departments', { name: 'Traffic Police', kind: 'traffic', isGovernment: true });
  const ids: string[] = [];
  for (const mount of mounts) {
    const created = await first.process.api(first.token, '/api/v1/cameras', { name: `gate ${mount}`, departmentId: dept.body.id, category: 'traffic', streamUrl: rtsp.urlFor(mount) });
    if (created.status !== 201) throw new Error(`camera: ${created.status}`);
    ids.push(created.body.id as string);
  }
  // Every camera leased before the clock starts (placement is not what the start-up figure measures).
  await waitFor('every camera leased', async () => {
    const owned = (await Promise.all(cluster.live.map((m) => cluster.state(m)))).flatMap((s) => s.ownedCameras);
    return new Set(owned).size === ids.length;
  }, 60_000);
  return ids;
}

/** Viewers start; seconds until every camera is pulled once (nodes and simulator agree). */
async function startUpToAllPulled(cluster: HubCluster, rtsp: RtspServerHandle, cameras: string[], viewers: ClusterViewer[]): Promise<{ seconds: number; watching: { stop(): Promise<void> } }> {
  const t0 = Date.now();
  const watching = keepWatching(viewers, 1_500);
  await waitFor('every camera pulled', async () => {
    const counts = await pullCounts(cluster);
    return cameras.every((id) => counts.get(id) === 1) && rtspConnections(rtsp.port) === cameras.length;
  }, 180_000);
  return { seconds: (Date.now() - t0) / 1_000, watching };
}

const rtsp = await startRtspServer({ mounts: Array.from({ length: CAMERAS }, (_, i) => `/cam${i}`), clipPath: await buildPresetClip('small') });
const mounts = Array.from({ length: CAMERAS }, (_, i) => `/cam${i}`);
let baselineS = NaN;
let result: { startS: number; failover: number[]; pullsMax: number; rtspMax: number; orphaned: number; playsBeforeKill: number; movedBeforeKill: number; restartsBeforeKill: number } | undefined;
try {
  const cluster = await HubCluster.start(NODES, ENV);
  try {
    const cameras = await addCameras(cluster, rtsp, mounts);
    const viewers = cameras.map((id, i) => new ClusterViewer(id, cluster, i % NODES));
    let pullsMax = 0;
    // Until the kill: the nodes that ever pulled each camera, and its ffmpeg restarts in place.
    const pulledBy = new Map<string, Set<string>>();
    const restarts = new Map<string, number>();
    let killed = false;
    let rtspMax = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const counts = await pullCounts(cluster).catch(() => new Map<string, number>());
        pullsMax = Math.max(pullsMax, ...counts.values());
        if (!killed) await recordPullers(cluster, pulledBy, restarts).catch(() => {});
        rtspMax = Math.max(rtspMax, rtspConnections(rtsp.port));
        await sleep(250);
      }
    })();
    let watching: { stop(): Promise<void> } | undefined;
    try {
      const started = await startUpToAllPulled(cluster, rtsp, cameras, viewers);
      watching = started.watching;
      const startS = started.seconds;
      const owners = new Map<string, string>();
      for (const member of cluster.live) for (const id of (await cluster.state(member)).ownedCameras) owners.set(id, member.id);
      const victim = cluster.live.reduce((a, b) => ([...owners.values()].filter((n) => n === a.id).length >= [...owners.values()].filter((n) => n === b.id).length ? a : b));
      const orphaned = cameras.filter((id) => owners.get(id) === victim.id);
      killed = true;
      const playsBeforeKill = [...rtsp.plays().values()].reduce((sum, n) => sum + n, 0);
      const movedBeforeKill = [...pulledBy.values()].filter((nodes) => nodes.size > 1).length;
      const restartsBeforeKill = [...restarts.values()].reduce((sum, n) => sum + n, 0);
      const killedAt = Date.now();
      await cluster.crash(victim);
      const takenAt = new Map<string, number>();
      await waitFor('the dead node\'s cameras pulled elsewhere', async () => {
        const counts = await pullCounts(cluster);
        for (const id of orphaned) if (!takenAt.has(id) && counts.get(id) === 1) takenAt.set(id, Date.now());
        return takenAt.size === orphaned.length;
      }, 120_000);
      await sleep(3_000);
      result = { startS, failover: orphaned.map((id) => (takenAt.get(id)! - killedAt) / 1_000), pullsMax, rtspMax, orphaned: orphaned.length, playsBeforeKill, movedBeforeKill, restartsBeforeKill };
    } finally {
      sampling = false;
      await sampler;
      await watching?.stop();
    }
  } finally {
    await cluster.stop();
  }
  // Baseline, after the cluster run so both meet a simulator already warm: one node.
  await waitFor('cluster pulls closed', () => rtspConnections(rtsp.port) === 0, 30_000);
  {
    const single = await HubCluster.start(1, ENV);
    try {
      const cameras = await addCameras(single, rtsp, mounts);
      const viewers = cameras.map((id) => new ClusterViewer(id, single, 0));
      const { seconds, watching } = await startUpToAllPulled(single, rtsp, cameras, viewers);
      baselineS = seconds;
      await watching.stop();
    } finally {
      await single.stop();
    }
    await waitFor('baseline pulls closed', () => rtspConnections(rtsp.port) === 0, 30_000);
  }

} finally {
  await rtsp.stop();
}

const r = result!;
const p50 = quantile(r.failover, 0.5);
const max = Math.max(...r.failover);
const rows: Array<[string, string, string, string]> = [
  [`start-up to all ${CAMERAS} pulled, ${NODES} nodes (s)`, String(round(r.startS)), String(round(baselineS)), String(round(r.startS / baselineS))],
  [`failover p50, ${r.orphaned} cameras of the killed node (s)`, String(round(p50)), String(round(baselineS)), String(round(p50 / baselineS))],
  ['failover max (s)', String(round(max)), String(round(baselineS)), String(round(max / baselineS))],
  ['nodes pulling one camera at once, max', String(r.pullsMax), '1', String(r.pullsMax)],
  ['RTSP sessions at the simulator, max', String(r.rtspMax), String(CAMERAS), String(round(r.rtspMax / CAMERAS))],
];
const widths = [0, 1, 2, 3].map((i) => Math.max(['metric', 'value', 'baseline', 'ratio'][i]!.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`\nbaseline: one node from the viewers' first play to all ${CAMERAS} cameras pulled, measured in this run`);
console.log(line(['metric', 'value', 'baseline', 'ratio']));
for (const row of rows) console.log(line(row));
console.log(`nodes=${NODES} cameras=${CAMERAS} failover_s_p50=${round(p50)} failover_s_max=${round(max)} pulls_per_camera_max=${r.pullsMax} baseline_all_pulled_s=${round(baselineS)} cluster_all_pulled_s=${round(r.startS)} rtsp_plays_before_kill=${r.playsBeforeKill} cameras_pulled_by_2_nodes_before_kill=${r.movedBeforeKill} ffmpeg_restarts_before_kill=${r.restartsBeforeKill}`);
