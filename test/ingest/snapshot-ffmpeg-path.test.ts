import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { FAST_INGEST, INGEST_FEATURES } from './ingest-hub.ts';

let rtsp: RtspServerHandle;
beforeAll(async () => {
  rtsp = await startRtspServer({ clipPath: await buildPresetClip('small'), mounts: ['/cam'] });
});
afterAll(async () => { await rtsp?.stop(); });

// The RTSP-frame snapshot fallback runs the configured ffmpeg (HUB_RELAY_FFMPEG_PATH), like the relay,
// not whatever `ffmpeg` is first on PATH.
describeEachDatabase('snapshot fallback uses the configured ffmpeg', (kind) => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub(kind, { features: INGEST_FEATURES, overrides: { ingest: FAST_INGEST, relay: { ffmpegPath: '/nonexistent/ffmpeg' } } });
  });
  afterAll(async () => { await t?.stop(); });

  it('fails with SNAPSHOT_FFMPEG when the configured ffmpeg cannot start', async () => {
    const camera = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'Plain RTSP', departmentId: t.departments.ps, category: 'other', streamUrl: rtsp.urlFor('/cam') } });
    expect(camera.status).toBe(201);
    const snapshot = await t.api(`/api/v1/cameras/${camera.body.id}/snapshot`, { user: t.users.psViewer });
    expect([snapshot.status, snapshot.body.code]).toEqual([500, 'SNAPSHOT_FFMPEG']);
  });
});
