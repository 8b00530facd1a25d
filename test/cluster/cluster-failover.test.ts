import { afterAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { recordFault } from '../faults/fault-table.ts';
import { rtspConnections, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { ClusterViewer, keepWatching } from './cluster-viewer.ts';
import { HubCluster } from './hub-cluster.ts';

const CAMERAS = 30;
const NODES = 3;

/** Every camera's puller: camera id → the nodes running its pull now. */
async function pullers(cluster: HubCluster): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const [node, streams] of await cluster.pulls()) for (const id of streams) out.set(id, [...(out.get(id) ?? []), node]);
  return out;
}

/** True when each camera is pulled by exactly one node and the simulator sees exactly one RTSP session per camera. */
async function pulledOnceEach(cluster: HubCluster, cameras: string[], rtspPort: number): Promise<boolean> {
  const by = await pullers(cluster);
  return cameras.every((id) => by.get(id)?.length === 1) && by.size === cameras.length && rtspConnections(rtspPort) === cameras.length;
}

/**
 * Issue 19 must-show: three hub nodes (separate processes) on one PostgreSQL and one Redis, 30 simulated
 * cameras kept pulled by viewers entering through every node; each camera pulled exactly once cluster-wide
 * (RTSP sessions counted at the simulator); kill -9 of one node (its ffmpeg children with it, as a dead
 * machine): its cameras pulled again by the others within 15 s, its viewers resume through another node.
 */
describe.skipIf(skipPostgres)('hub cluster: camera ownership and failover (3 nodes, 30 cameras)', () => {
  let cluster: HubCluster | undefined;
  let rtsp: RtspServerHandle | undefined;
  afterAll(async () => {
    await cluster?.stop();
    await rtsp?.stop();
  });

  it('pulls each camera once across nodes, and after kill -9 of a node the others take its cameras and viewers', async () => {
    const mounts = Array.from({ length: CAMERAS }, (_, i) => `/cam${i}`);
    rtsp = await startSimCameras(mounts);
    cluster = await HubCluster.start(NODES, {
      // Probes an hour apart: every RTSP session the simulator counts afterwards is a relay pull.
      HUB_INGEST_HEALTH_INTERVAL_MS: '3600000', HUB_RELAY_IDLE_STOP_SECONDS: '5', HUB_RELAY_VIEWER_IDLE_SECONDS: '10',
    });
    const [first] = cluster.members;
    const dept = await first!.process.api(first!.token, '/api/v1/departments', { name: 'Traffic Police', kind: 'traffic', isGovernment: true });
    expect(dept.status).toBe(201);
    const cameras: string[] = [];
    for (const mount of mounts) {
      const created = await first!.process.api(first!.token, '/api/v1/cameras', { name: `gate ${mount}`, departmentId: dept.body.id, category: 'traffic', streamUrl: rtsp.urlFor(mount) });
      expect(created.status).toBe(201);
      cameras.push(created.body.id as string);
    }

    // Every camera has one owner, and the nodes share them.
    await until('every camera leased by one node', async () => {
      const owned = await Promise.all(cluster!.live.map((m) => cluster!.state(m)));
      const all = owned.flatMap((s) => s.ownedCameras);
      return all.length === CAMERAS && new Set(all).size === CAMERAS && owned.every((s) => s.nodes.length === NODES);
    }, 30_000, 250);
    const owners = new Map<string, string>();
    for (const member of cluster.live) for (const id of (await cluster.state(member)).ownedCameras) owners.set(id, member.id);
    const share = cluster.live.map((m) => [...owners.values()].filter((n) => n === m.id).length);
    expect(Math.min(...share), `cameras per node: ${share}`).toBeGreaterThanOrEqual(5);

    // Viewers enter through every node: one in three through its camera's owner, the others through another node
    // (chosen from the owners seen here, not by round robin, which rendezvous placement can leave short of two thirds).
    const memberIndex = new Map(cluster.members.map((m, i) => [m.id, i]));
    const viewers = cameras.map((id, i) => new ClusterViewer(id, cluster!, (memberIndex.get(owners.get(id)!)! + (i % NODES)) % NODES));
    const watching = keepWatching(viewers, 1_500);
    try {
      await until('all 30 viewers get a playlist', () => viewers.every((v) => v.lastOkAt > 0), 90_000, 500);
      expect(viewers.filter((v) => owners.get(v.cameraId) !== v.okEntry!.id).length).toBeGreaterThanOrEqual(CAMERAS / 2);
      await until('each camera pulled exactly once (nodes and simulator agree)', () => pulledOnceEach(cluster!, cameras, rtsp!.port), 60_000, 500);
      // Still so a moment later: nothing pulls twice in the steady state.
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 1_000));
        const by = await pullers(cluster);
        expect(cameras.filter((id) => by.get(id)?.length !== 1), 'cameras not pulled exactly once').toEqual([]);
        expect(rtspConnections(rtsp.port)).toBe(CAMERAS);
      }

      // kill -9 the node with the most cameras.
      const victim = cluster.live.reduce((a, b) => ([...owners.values()].filter((n) => n === a.id).length >= [...owners.values()].filter((n) => n === b.id).length ? a : b));
      const orphaned = cameras.filter((id) => owners.get(id) === victim.id);
      const stranded = viewers.filter((v) => v.okEntry?.id === victim.id);
      const killedAt = Date.now();
      await cluster.crash(victim);

      const takenAt = new Map<string, number>();
      await until('every camera of the dead node pulled by another node', async () => {
        const by = await pullers(cluster!);
        for (const id of orphaned) if (!takenAt.has(id) && by.get(id)?.length === 1) takenAt.set(id, Date.now());
        return takenAt.size === orphaned.length;
      }, 15_000, 250);
      const failover = orphaned.map((id) => (takenAt.get(id)! - killedAt) / 1_000).sort((a, b) => a - b);
      await until('each camera again pulled exactly once', () => pulledOnceEach(cluster!, cameras, rtsp!.port), 30_000, 500);

      // Viewers of the dead node resume through another; every viewer plays again after the kill.
      await until('every viewer plays again after the kill', () => viewers.every((v) => v.lastOkAt > killedAt), 30_000, 500);
      for (const viewer of stranded) {
        expect(viewer.okEntry!.id).not.toBe(victim.id);
        // At least one new session (a loaded machine may need a second try: a session that idled out while its node was starting the pull).
        expect(viewer.starts).toBeGreaterThanOrEqual(2);
      }
      const recovered = (Math.max(...viewers.map((v) => v.lastOkAt)) - killedAt) / 1_000;
      const after = await pullers(cluster);
      const pulledTwice = cameras.filter((id) => (after.get(id)?.length ?? 0) > 1).length;
      expect(pulledTwice).toBe(0);
      recordFault({
        fault: 'kill -9 of one of 3 hub nodes (PostgreSQL, Redis)', expected: orphaned.length, found: takenAt.size, duplicates: pulledTwice,
        recoverySeconds: failover[failover.length - 1]!,
        note: `${CAMERAS} cameras, ${orphaned.length} on the dead node; failover p50 ${failover[Math.floor(failover.length / 2)]!.toFixed(1)} s; ${stranded.length} viewers of the dead node resumed elsewhere; all viewers playing ${recovered.toFixed(1)} s after the kill`,
      });
    } finally {
      await watching.stop();
    }
  }, 300_000);
});
