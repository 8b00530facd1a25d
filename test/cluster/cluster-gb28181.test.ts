import { afterAll, describe, expect, it } from 'vitest';
import { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import { freePort } from '../../api/kernel/process/free-port.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { until } from '../relay/relay-fixtures.ts';
import { channelIds, clipUnits, DOMAIN, GB_PASSWORD, SERVER_ID } from '../gb28181/gb-fixtures.ts';
import { ClusterViewer, keepWatching } from './cluster-viewer.ts';
import { HubCluster, type ClusterMember } from './hub-cluster.ts';

const DEVICE = '34020000001184000051';

/**
 * GB/T 28181 in a cluster: a device registers to one node, and only that node holds its SIP session and
 * can INVITE its channels. Placement pins the channel's camera to that node whatever the hashing says; a
 * viewer entering through another node is served through it; when the device registers to another node
 * instead, the camera moves there.
 */
describe.skipIf(skipPostgres)('hub cluster: GB/T 28181 channels are pulled on the node their device registered to', () => {
  let cluster: HubCluster | undefined;
  let device: SimGbDevice | undefined;
  afterAll(async () => {
    device?.kill();
    await cluster?.stop();
  });

  const sipPortOf = (member: ClusterMember) => Number(member.env.HUB_GB28181_PORT);
  const startDevice = async (member: ClusterMember) => {
    const sim = new SimGbDevice({
      server: { host: '127.0.0.1', port: sipPortOf(member), id: SERVER_ID, domain: DOMAIN },
      deviceId: DEVICE, password: GB_PASSWORD, fps: 15, keepaliveSeconds: 1, units: await clipUnits(),
      channels: channelIds(DEVICE, 1).map((id) => ({ id, name: '集群 通道1', address: '滨江路1号', lon: 120.1, lat: 30.2, ptzType: 3 })),
    });
    await sim.start();
    return sim;
  };
  const owner = async (cameraId: string) => {
    for (const member of cluster!.live) if ((await cluster!.state(member)).ownedCameras.includes(cameraId)) return member;
    return undefined;
  };

  it('pins the channel to the registration node, serves viewers of other nodes through it, and follows the device to another node', async () => {
    let rtpBase = 42_000;
    cluster = await HubCluster.start(2, {
      HUB_GB28181_ENABLED: 'true', HUB_GB28181_HOST: '127.0.0.1', HUB_GB28181_STRICT: 'false', HUB_GB28181_PASSWORD: GB_PASSWORD,
      HUB_GB28181_KEEPALIVE_INTERVAL_SECONDS: '1', HUB_GB28181_KEEPALIVE_MISSES: '3', HUB_GB28181_RTP_TIMEOUT_SECONDS: '5',
      HUB_INGEST_HEALTH_INTERVAL_MS: '3600000', HUB_RELAY_IDLE_STOP_SECONDS: '5', HUB_RELAY_VIEWER_IDLE_SECONDS: '20',
    }, async () => {
      // Each node its own SIP port and RTP range (one machine stands in for two).
      const base = (rtpBase += 500);
      return { HUB_GB28181_PORT: String(await freePort()), HUB_GB28181_RTP_PORT_MIN: String(base), HUB_GB28181_RTP_PORT_MAX: String(base + 499) };
    });
    const [first, second] = cluster.members as [ClusterMember, ClusterMember];
    const dept = await first.process.api(first.token, '/api/v1/departments', { name: '社区', kind: 'community', isGovernment: false });
    expect(dept.status).toBe(201);

    device = await startDevice(second);
    await until('device known', async () => (await first.process.api(first.token, '/api/v1/gb28181/devices')).body?.some((d: { id: string }) => d.id === DEVICE), 30_000, 250);
    const patched = await fetch(`${first.url}/api/v1/gb28181/devices/${DEVICE}`, {
      method: 'PATCH', headers: { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ departmentId: dept.body.id }),
    });
    expect(patched.status).toBe(200);
    const [channel] = channelIds(DEVICE, 1);
    const cameraId = await until('the channel is a camera', async () => {
      const cameras = (await first.process.api(first.token, '/api/v1/cameras')).body as Array<{ id: string; nationalId?: string; national_id?: string }>;
      return cameras.find((c) => (c.nationalId ?? c.national_id) === channel)?.id;
    }, 30_000, 250);

    // Owned by the node the device registered to, as both nodes see it.
    await until('camera owned by the registration node', async () => (await owner(cameraId))?.id === second.id, 30_000, 250);

    // A viewer entering through the other node plays it; the pull runs on the registration node only.
    const viewer = new ClusterViewer(cameraId, cluster, 0);
    const watching = keepWatching([viewer], 1_500);
    try {
      await until('viewer on the first node gets a playlist', () => viewer.lastOkAt > 0, 60_000, 250);
      expect(viewer.okEntry?.id).toBe(first.id);
      const pulls = await cluster.pulls();
      expect(pulls.get(second.id)).toContain(cameraId);
      expect(pulls.get(first.id)).not.toContain(cameraId);
      expect(device.invites).toBe(1);

      // The device moves: it is gone from the second node (power cut) and registers to the first.
      device.kill();
      device = await startDevice(first);
      await until('camera owned by the new registration node', async () => (await owner(cameraId))?.id === first.id, 45_000, 250);
      const movedAt = Date.now();
      await until('viewer plays again after the move', () => viewer.lastOkAt > movedAt, 60_000, 250);
      await until('pulled on the new node only', async () => {
        const now = await cluster!.pulls();
        return now.get(first.id)?.includes(cameraId) && !now.get(second.id)?.includes(cameraId);
      }, 30_000, 250);
      expect(device.invites).toBeGreaterThanOrEqual(1);
    } finally {
      await watching.stop();
    }
  }, 300_000);
});
