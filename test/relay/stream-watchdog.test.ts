import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, ffmpegChildren, relayOf, rtspConnections, startSimCameras, until } from './relay-fixtures.ts';

/** Reads one video frame from a local RTMP URL with a plain ffmpeg, as the analytics sampler would. */
function readOneFrame(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-rw_timeout', '10000000', '-i', url, '-frames:v', '1', '-f', 'null', '-'], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
}

describeEachDatabase('relay stream: leases, stall watchdog, no orphans', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/yard']);
    t = await startTestHub(kind, { overrides: FAST_RELAY });
    camera = await addCamera(t, rtsp.urlFor('/yard'));
  });
  afterAll(async () => {
    rtsp?.resume();
    await t?.stop();
    await rtsp?.stop();
  });

  it('acquire() gives analytics a readable local URL on the same single pull', async () => {
    const relay = relayOf(t);
    const lease = await relay.acquire(camera, 'analytics');
    expect(await readOneFrame(lease.url)).toBe(0);
    // A health probe's DESCRIBE may be open for a moment; a second pull would stay.
    await expect.poll(() => rtspConnections(rtsp.port), { timeout: 10_000, interval: 250 }).toBe(1);
    // A wrong signature is refused by the embedded server: the loopback port is not an open relay.
    expect(await readOneFrame(lease.url.replace(/sign=\d+-[0-9a-f]+/, 'sign=1-00'))).not.toBe(0);
    await expect(relay.acquire('../etc', 'x')).rejects.toMatchObject({ code: 'STREAM_ID_INVALID' });
    await expect(relay.acquire('no-such-camera', 'x')).rejects.toMatchObject({ code: 'CAMERA_NOT_FOUND' });
    lease.release();
    await until('idle stop after the last lease', () => !relay.stream(camera));
  });

  it('restarts a stalled ffmpeg when the camera freezes, and segments flow again after it recovers', async () => {
    const relay = relayOf(t);
    const lease = await relay.acquire(camera, 'watchdog-test');
    const stream = relay.stream(camera)!;
    await stream.waitForPlaylist(10_000);
    const firstPid = stream.pid;
    rtsp.pause();
    try {
      await until('ffmpeg restarted', () => stream.restarts > 0 || stream.stallRestarts > 0, 30_000, 200);
    } finally {
      rtsp.resume();
    }
    const before = relay.status().find((s) => s.streamId === camera)!;
    expect(before.restarts + before.stallRestarts).toBeGreaterThan(0);
    await until('a new ffmpeg pid', () => stream.pid !== undefined && stream.pid !== firstPid, 30_000, 200);
    const { readdir } = await import('node:fs/promises');
    const listSegments = async () => (await readdir(relay.hlsDir(camera))).filter((n) => /^seg_\d+\.ts$/.test(n)).sort();
    const seen = new Set(await listSegments());
    await until('new segments after recovery', async () => (await listSegments()).some((n) => !seen.has(n)), 30_000, 250);
    lease.release();
    await until('idle stop finished', () => !relay.status().some((st) => st.streamId === camera), 10_000);
    const left = ffmpegChildren();
    const { execFileSync } = await import('node:child_process');
    expect(left, left.length ? execFileSync('ps', ['-o', 'pid,ppid,pgid,etimes,args', '-p', left.join(',')], { encoding: 'utf8' }) : '').toEqual([]);
  });
});
