import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { burstCountingGrabs, startQuietSnapshotCameras } from '../relay/relay-fixtures.ts';

// Process counting does not depend on the database: SQLite only.
describe('snapshot burst (issue 13 #4)', () => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let cameras: string[] = [];
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    // No relay pull, health probes an hour apart: every RTSP session and ffmpeg counted is a snapshot's.
    ({ t, rtsp, cameras, stop } = await startQuietSnapshotCameras(['/s1', '/s2', '/s3'], { snapshot: { maxConcurrentGrabs: 4, maxConcurrentPerUser: 2, frameCacheMs: 1_000 } }));
  });
  afterAll(async () => { await stop?.(); });

  it('security #4: 15 snapshots of one camera with distinct widths start one ffmpeg, not 15, and all get a JPEG', async () => {
    const widths = Array.from({ length: 15 }, (_, i) => 160 + i * 16);
    const burst = await burstCountingGrabs(t, rtsp.port, t.users.psViewer, widths.map((w) => `/api/v1/cameras/${cameras[0]}/snapshot?width=${w}`));
    expect(burst.answers.map((a) => a.status)).toEqual(widths.map(() => 200));
    expect(burst.ffmpegPeak).toBe(1);
    expect(burst.rtspPeak).toBeLessThanOrEqual(1);
  });

  it('security #4: one user grabbing three cameras at once gets at most maxConcurrentPerUser grabs; the rest 429 SNAPSHOT_BUSY', async () => {
    await new Promise((r) => setTimeout(r, 1_100)); // past the frame cache of the test above
    const burst = await burstCountingGrabs(t, rtsp.port, t.users.psApprover, cameras.map((id) => `/api/v1/cameras/${id}/snapshot?width=200`));
    const ok = burst.answers.filter((a) => a.status === 200).length;
    const busy = burst.answers.filter((a) => a.status === 429 && a.code === 'SNAPSHOT_BUSY').length;
    expect(ok).toBe(2);
    expect(busy).toBe(1);
    expect(burst.answers.find((a) => a.status === 429)?.retryAfter).toBe('1');
    expect(burst.ffmpegPeak).toBeLessThanOrEqual(2);
  });
});
