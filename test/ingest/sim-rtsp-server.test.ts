import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { RtspPullClient } from '../../devtools/sim/rtsp-pull-client.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { ffprobeJson, processExists, run } from './sim-helpers.ts';

const USER = 'viewer';
const PASS = 'pa:ss w0rd!';
const withCredentials = (url: string) => url.replace('rtsp://', `rtsp://${USER}:${encodeURIComponent(PASS)}@`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('simulated RTSP server (gst-rtsp-server)', () => {
  let clip: string;
  let server: RtspServerHandle;

  beforeAll(async () => {
    clip = await buildPresetClip('small');
    server = await startRtspServer({ mounts: ['/cam1', 'cam2'], clipPath: clip, username: USER, password: PASS });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('streams H.264 with advancing timestamps, a key frame every second, in real time', async () => {
    expect(server.urlFor('cam2')).toBe(`rtsp://127.0.0.1:${server.port}/cam2`);
    const started = Date.now();
    const probe = await ffprobeJson([
      '-rtsp_transport', 'tcp', '-read_intervals', '%+3', '-select_streams', 'v',
      '-show_streams', '-show_packets', '-show_entries', 'packet=pts_time,flags:stream=codec_name,width,height',
      withCredentials(server.urlFor('/cam2')),
    ]);
    const elapsedSeconds = (Date.now() - started) / 1000;
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    const packets = (probe.packets as Array<{ pts_time?: string; flags: string }>)
      .filter((p) => p.pts_time !== undefined && p.pts_time !== 'N/A')
      .map((p) => ({ pts: Number(p.pts_time), key: p.flags.startsWith('K') }));
    expect(packets.length).toBeGreaterThan(20);
    for (let i = 1; i < packets.length; i++) expect(packets[i]!.pts).toBeGreaterThan(packets[i - 1]!.pts);
    const keyTimes = packets.filter((p) => p.key).map((p) => p.pts);
    expect(keyTimes.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < keyTimes.length; i++) expect(keyTimes[i]! - keyTimes[i - 1]!).toBeLessThanOrEqual(1.01);
    // Paced by the clock, not as fast as possible: the media time read cannot outrun the wall time spent.
    const span = packets[packets.length - 1]!.pts - packets[0]!.pts;
    expect(span).toBeLessThanOrEqual(elapsedSeconds + 0.5);
  });

  it('delivers frames ffmpeg can decode (UDP transport)', async () => {
    const result = await run('ffmpeg', ['-v', 'error', '-rtsp_transport', 'udp', '-i', withCredentials(server.urlFor('/cam1')), '-frames:v', '20', '-f', 'null', '-']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('enforces credentials with basic and digest authentication', async () => {
    const describeOnce = async (options: ConstructorParameters<typeof RtspPullClient>[1]) => {
      const client = new RtspPullClient(server.urlFor('/cam1'), options);
      await client.connect();
      try {
        return await client.describe();
      } finally {
        client.close();
      }
    };
    // gst-rtsp-server answers 503 to a DESCRIBE that lands while the shared media of the previous,
    // just-closed session is being torn down; an RTSP client retries that, and so does this one.
    const attempt = async (options: ConstructorParameters<typeof RtspPullClient>[1]) => {
      for (let tries = 1; ; tries++) {
        const answer = await describeOnce(options);
        if (answer.status !== 503 || tries === 5) return answer;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const anonymous = await attempt({});
    expect(anonymous.status).toBe(401);
    const challenges = anonymous.headers.get('www-authenticate')!.join('\n');
    expect(challenges).toMatch(/^Basic /m);
    expect(challenges).toMatch(/^Digest /m);
    expect((await attempt({ username: USER, password: 'wrong', authMethod: 'basic' })).status).toBe(401);
    expect((await attempt({ username: USER, password: 'wrong', authMethod: 'digest' })).status).toBe(401);
    const basic = await attempt({ username: USER, password: PASS, authMethod: 'basic' });
    expect(basic.status).toBe(200);
    expect(basic.body).toContain('H264/90000');
    expect((await attempt({ username: USER, password: PASS, authMethod: 'digest' })).status).toBe(200);
    const ffmpegWithoutCredentials = await run('ffmpeg', ['-v', 'error', '-rtsp_transport', 'tcp', '-i', server.urlFor('/cam1'), '-frames:v', '1', '-f', 'null', '-']);
    expect(ffmpegWithoutCredentials.code).not.toBe(0);
    expect(ffmpegWithoutCredentials.stderr).toContain('401');
  });

  it('pause() freezes the stream and resume() brings it back', async () => {
    const client = new RtspPullClient(server.urlFor('/cam1'), { username: USER, password: PASS });
    await client.connect();
    try {
      await client.play();
      await waitFor(() => client.stats.rtpPackets > 10);
      server.pause();
      await sleep(300); // packets already in flight
      const frozenAt = client.stats.rtpPackets;
      await sleep(1_500);
      expect(client.stats.rtpPackets).toBe(frozenAt);
      server.resume();
      await waitFor(() => client.stats.rtpPackets > frozenAt + 10);
      expect(client.stats.lastRtpTimestamp).not.toBe(client.stats.firstRtpTimestamp);
    } finally {
      server.resume();
      client.close();
    }
  });

  it('stop() leaves no process and closes the port, even while paused', async () => {
    const own = await startRtspServer({ mounts: ['/only'], clipPath: clip });
    const { pid, port } = own;
    expect(processExists(pid)).toBe(true);
    own.pause();
    await own.stop();
    expect(processExists(pid)).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('refuses to start without mounts or with a missing clip', async () => {
    await expect(startRtspServer({ mounts: [], clipPath: clip })).rejects.toMatchObject({ code: 'SIM_RTSP_NO_MOUNTS' });
    await expect(startRtspServer({ mounts: ['/a'], clipPath: '/nonexistent.mp4' })).rejects.toMatchObject({ code: 'SIM_RTSP_CLIP' });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}
