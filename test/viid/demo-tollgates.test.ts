import { afterAll, beforeAll, expect, it } from 'vitest';
import { FEATURE_NAMES } from '../../api/hub/hub-services.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { until } from './viid-fixtures.ts';

// The demo's simulated GA/T 1400 卡口 devices: allowed as peers, registered with digest against the hub's own
// /VIID, pushing passes the checkpoint pages show (the simulated RTSP cameras are left out: no ingest feature).
describeEachDatabase('demo 卡口 devices', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(kind, {
      features: FEATURE_NAMES.filter((name) => !['ingest', 'relay', 'recording', 'analytics'].includes(name)),
      overrides: { demo: { sampleCameras: 1, tollgateDevices: 2 } },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('registers two simulated devices whose passes the traffic department finds with their pictures', async () => {
    const passes = await until(async () => {
      const page = await t.api('/api/v1/checkpoint/passes?limit=50', { user: t.users.trafficViewer });
      const cameras = new Set((page.body.items ?? []).map((p: any) => p.cameraId));
      return cameras.size >= 2 ? page.body.items : undefined;
    }, 'passes from both demo devices', 60_000);
    expect(passes.some((p: any) => p.hasCrop)).toBe(true);
    const peers = (await t.api('/api/v1/viid/peers', { user: t.users.admin })).body;
    expect(peers.filter((p: any) => p.kind === 'device' && p.status === 'online')).toHaveLength(2);
    const cameras = await t.hub.ctx.db.selectFrom('cameras').select(['source', 'stream_url']).execute();
    expect(cameras.filter((c) => c.source === 'gat1400' && c.stream_url === '')).toHaveLength(2);
  });
});
