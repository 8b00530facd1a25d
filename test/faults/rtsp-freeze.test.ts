import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, ffmpegChildren, relayOf, rtspConnections, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { recordFault } from './fault-table.ts';

/**
 * SIGSTOP the RTSP source (the camera hangs: TCP open, no data): with the product's default relay
 * settings its ffmpeg is restarted within 20 s and the camera turns offline; SIGCONT brings both back
 * (one pull, new segments); after the hub stops no ffmpeg is left.
 */
describeEachDatabase('SIGSTOP / SIGCONT of the RTSP source', (kind) => {
  let t: TestHub | undefined;
  let rtsp: RtspServerHandle;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/gate']);
    // Default relay settings; a quick health interval so that "offline" shows within the test.
    t = await startTestHub(kind, { overrides: { ingest: { healthIntervalMs: 1_000, requestTimeoutMs: 1_500, reconnectInitialMs: 200, reconnectMaxMs: 1_000 }, analytics: { enabled: false } } });
  });
  afterAll(async () => {
    rtsp?.resume();
    await t?.stop();
    await rtsp?.stop();
  });

  it('restarts ffmpeg within 20 s, reports offline, recovers on SIGCONT, leaves no orphan ffmpeg', async () => {
    const hub = t!;
    const camera = await addCamera(hub, rtsp.urlFor('/gate'));
    const status = async () => (await hub.api(`/api/v1/cameras/${camera}`, { user: hub.users.psViewer })).body.status as string;
    await until('camera online', async () => (await status()) === 'online', 30_000, 200);
    const relay = relayOf(hub);
    const lease = await relay.acquire(camera, 'fault-suite');
    const stream = relay.stream(camera)!;
    await stream.waitForPlaylist(15_000);
    const firstPid = stream.pid;

    rtsp.pause();
    const pausedAt = Date.now();
    let restartSeconds = Infinity;
    let offlineSeconds = Infinity;
    try {
      await until('ffmpeg restarted and camera offline', async () => {
        if (restartSeconds === Infinity && (stream.restarts > 0 || stream.stallRestarts > 0 || (stream.pid !== undefined && stream.pid !== firstPid))) restartSeconds = (Date.now() - pausedAt) / 1_000;
        if (offlineSeconds === Infinity && (await status()) !== 'online') offlineSeconds = (Date.now() - pausedAt) / 1_000;
        return restartSeconds !== Infinity && offlineSeconds !== Infinity;
      }, 40_000, 200);
    } finally {
      rtsp.resume();
    }
    const resumedAt = Date.now();
    const listSegments = async () => (await readdir(relay.hlsDir(camera))).filter((n) => /^seg_\d+\.ts$/.test(n));
    const seen = new Set(await listSegments());
    await until('online again with new segments', async () => (await status()) === 'online' && (await listSegments()).some((n) => !seen.has(n)), 60_000, 250);
    const recoverySeconds = (Date.now() - resumedAt) / 1_000;
    const pulls = rtspConnections(rtsp.port);
    lease.release();
    await hub.stop();
    t = undefined;
    const left = ffmpegChildren();
    recordFault({ fault: `SIGSTOP RTSP source [${kind}]`, expected: 1, found: 1, duplicates: Math.max(0, pulls - 2) + left.length, recoverySeconds, note: `ffmpeg restarted after ${restartSeconds.toFixed(1)} s, offline after ${offlineSeconds.toFixed(1)} s; ${pulls} RTSP sessions after recovery; ${left.length} ffmpeg left` });
    expect(restartSeconds).toBeLessThanOrEqual(20);
    expect(offlineSeconds).toBeLessThan(40);
    // One relay pull plus at most the health check's probe.
    expect(pulls).toBeLessThanOrEqual(2);
    expect(left).toEqual([]);
  }, 150_000);
});
