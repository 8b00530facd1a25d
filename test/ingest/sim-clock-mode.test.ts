import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { CLOCK_FRAME, decodeClockStripe, decodeClockTime } from '../../devtools/sim/clock-stripe.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { greyFrames } from '../helpers/grey-frames.ts';
import { ffprobeJson } from './sim-helpers.ts';

const { width: W, height: H } = CLOCK_FRAME;

describe('simulator clock mode: frames carry their wall-clock time', () => {
  let server: RtspServerHandle;

  beforeAll(async () => {
    server = await startRtspServer({ mounts: ['/clock'], clock: true });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('streams 640x360 H.264 with a key frame every second', async () => {
    const probe = await ffprobeJson(['-rtsp_transport', 'tcp', '-read_intervals', '%+3', '-select_streams', 'v', '-show_streams', '-show_packets',
      '-show_entries', 'packet=pts_time,flags:stream=codec_name,width,height', server.urlFor('/clock')]);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: W, height: H });
    const keys = (probe.packets as Array<{ pts_time?: string; flags: string }>)
      .filter((p) => p.flags.startsWith('K') && p.pts_time !== undefined && p.pts_time !== 'N/A').map((p) => Number(p.pts_time));
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < keys.length; i++) expect(keys[i]! - keys[i - 1]!).toBeCloseTo(1, 1);
  });

  it('each decoded frame reads the time it was made: 40 ms apart, never ahead of the reader, close behind it', async () => {
    const asked = Date.now();
    const frames = await greyFrames(['-rtsp_transport', 'tcp', '-i', server.urlFor('/clock')], ['-frames:v', '50'], W, H);
    const received = Date.now();
    expect(frames).toHaveLength(50);
    const times = frames.map((f) => decodeClockTime(f, W, H, received));
    expect(times.every((at) => at !== undefined), 'every frame decodes').toBe(true);
    const at = times as number[];
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(39), expect(at[i]! - at[i - 1]!).toBeLessThanOrEqual(41);
    // Made after the pull was asked for (a shared media starts with its first client), before it ended.
    expect(at[0]!).toBeGreaterThanOrEqual(asked - 100);
    expect(at.at(-1)!).toBeLessThanOrEqual(received);
  });

  it('the stripe reads through a downscale and is not found in a picture without one', async () => {
    const [small] = await greyFrames(['-rtsp_transport', 'tcp', '-i', server.urlFor('/clock')], ['-frames:v', '1'], 320, 180);
    expect(Math.abs(decodeClockTime(small!, 320, 180, Date.now())! - Date.now())).toBeLessThan(5_000);
    const [plain] = await greyFrames(['-i', await buildPresetClip('small')], ['-frames:v', '1'], W, H);
    expect(decodeClockStripe(plain!, W, H)).toBeUndefined();
    // A corrupted bit fails the check instead of reading another time.
    const [frame] = await greyFrames(['-rtsp_transport', 'tcp', '-i', server.urlFor('/clock')], ['-frames:v', '1'], W, H);
    expect(decodeClockStripe(frame!, W, H)).toBeDefined();
    const cell = 10;
    for (let y = 0; y < 32; y++) for (let x = cell * 16; x < cell * 16 + 16; x++) frame![y * W + x] = 255 - frame![y * W + x]!;
    expect(decodeClockStripe(frame!, W, H)).toBeUndefined();
  });
});
