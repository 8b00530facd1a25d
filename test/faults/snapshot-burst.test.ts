import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { burstCountingGrabs, startQuietSnapshotCameras } from '../relay/relay-fixtures.ts';
import { recordFault } from './fault-table.ts';

const WIDTHS = Array.from({ length: 15 }, (_, i) => 160 + i * 16);
const MOUNTS = ['/b1', '/b2', '/b3'];

/**
 * Issue 13 #4 as a fault: one user fires 15 snapshots with distinct widths at each of three simulated
 * cameras at once (45 requests), with the default limits. Counted meanwhile: this process's ffmpeg children
 * and the RTSP sessions the simulator sees. Every request must be answered (a JPEG or 429 SNAPSHOT_BUSY).
 */
describe('snapshot burst', () => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let cameras: string[] = [];
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ t, rtsp, cameras, stop } = await startQuietSnapshotCameras(MOUNTS));
  });
  afterAll(async () => { await stop?.(); });

  it('runs one grab per camera within the per-user cap, refuses the rest with 429, answers every request', async () => {
    const { maxConcurrentGrabs, maxConcurrentPerUser } = t.hub.ctx.config.ingest.snapshot;
    const paths = cameras.flatMap((id) => WIDTHS.map((w) => `/api/v1/cameras/${id}/snapshot?width=${w}`));
    const started = Date.now();
    const burst = await burstCountingGrabs(t, rtsp.port, t.users.psViewer, paths);
    const seconds = (Date.now() - started) / 1000;
    const ok = burst.answers.filter((a) => a.status === 200 && a.bytes > 0).length;
    const busy = burst.answers.filter((a) => a.status === 429 && a.code === 'SNAPSHOT_BUSY').length;
    const other = burst.answers.length - ok - busy;
    recordFault({
      fault: `snapshot burst: ${paths.length} stills by one user (${WIDTHS.length} distinct widths x ${cameras.length} cameras, at once)`,
      expected: paths.length, found: ok + busy, duplicates: 0, recoverySeconds: null,
      note: `sqlite; ffmpeg at once max ${burst.ffmpegPeak} (limits ${maxConcurrentPerUser}/user, ${maxConcurrentGrabs} hub), RTSP sessions max ${burst.rtspPeak}; 200 ${ok}, 429 SNAPSHOT_BUSY ${busy}, other ${other}; all answered in ${seconds.toFixed(1)} s (before the fix: one ffmpeg per width, 15 for 15)`,
    });
    expect(other).toBe(0);
    expect(burst.ffmpegPeak).toBeLessThanOrEqual(maxConcurrentPerUser);
    expect(burst.rtspPeak).toBeLessThanOrEqual(maxConcurrentPerUser);
    expect(ok).toBeGreaterThanOrEqual(WIDTHS.length);
    expect(busy).toBeGreaterThan(0);
  });
});
