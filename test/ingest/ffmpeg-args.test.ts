import { describe, expect, it } from 'vitest';
import { scrubCredentials } from '../../ingest/ffmpeg/ffmpeg-stderr.ts';
import { frameGrabArgs } from '../../ingest/ffmpeg/frame-grab-args.ts';
import { relayArgs } from '../../ingest/ffmpeg/relay-args.ts';
import { privateInputOptions, privateInputUrl, type FfmpegCommand } from '../../ingest/ffmpeg/private-input.ts';
import { samplerArgs } from '../../ingest/ffmpeg/sampler-args.ts';
import { testClipArgs } from '../../ingest/ffmpeg/test-clip-args.ts';
import { throwsAsAnswered } from '../helpers/edge-error.ts';

/** Inputs that would make ffmpeg read a local file, a playlist or an option instead of a camera. */
const HOSTILE_INPUTS = [
  'file:///etc/passwd',
  'concat:/etc/passwd|/etc/shadow',
  '-i',
  'http://127.0.0.1:8080/live/index.m3u8',
  'https://example.org/playlist.m3u8',
  'rtmp://203.0.113.7/live/cam',
  'rtsp://host/path -f null',
];
const CAMERA = 'rtsp://user:p%40ss@127.0.0.1:8554/cam1';
const LOCAL_RELAY = 'rtmp://127.0.0.1:19350/live/cam1?sign=1-abc';

/**
 * The argv ffmpeg effectively runs with: the real argv, with `-i pipe:0` replaced by the input options and
 * URL the builder wrote to stdin (security #3: the URL itself is never in the real argv).
 */
function effectiveArgs(command: FfmpegCommand): string[] {
  const at = command.args.indexOf('pipe:0');
  expect(command.args[at - 1]).toBe('-i');
  const url = privateInputUrl(command.stdin)!;
  return [...command.args.slice(0, at - 1), ...privateInputOptions(command.stdin), '-i', url, ...command.args.slice(at + 1)];
}

/** Each builder that takes a camera URL, as a function of that URL (the argv ffmpeg effectively runs with). */
const commands: Record<string, (url: string) => FfmpegCommand> = {
  relayArgs: (url) => relayArgs({
    inputUrl: url, rtmpUrl: LOCAL_RELAY, hlsDir: '/tmp/hls/cam1', hlsSegmentSeconds: 1, hlsListSize: 4, inputTimeoutSeconds: 5,
  }),
  samplerArgs: (url) => samplerArgs({ url, sampleFps: 2, width: 640, height: 384, inputTimeoutSeconds: 5 }),
  frameGrabArgs: (url) => frameGrabArgs(url, 10_000),
};
const builders: Record<string, (url: string) => string[]> = Object.fromEntries(
  Object.entries(commands).map(([name, build]) => [name, (url: string) => effectiveArgs(build(url))]),
);

function inputOf(args: string[]): string[] {
  return args.flatMap((arg, i) => (arg === '-i' ? [args[i + 1]!] : []));
}

describe('ffmpeg argv builders', () => {
  for (const [name, build] of Object.entries(builders)) {
    it(`${name} refuses every input that is not rtsp:// or rtsps://`, () => {
      for (const input of HOSTILE_INPUTS) {
        expect(throwsAsAnswered(() => build(input)), input).toThrow(expect.objectContaining({ code: expect.stringMatching(/^CAMERA_URL_/), status: 400 }));
      }
    });

    it(`${name} passes a camera URL as one argv entry after -i, over TCP`, () => {
      const args = build(CAMERA);
      expect(inputOf(args)).toHaveLength(1);
      expect(new URL(inputOf(args)[0]!).href).toBe(new URL(CAMERA).href);
      expect(args.slice(args.indexOf('-rtsp_transport'), args.indexOf('-rtsp_transport') + 2)).toEqual(['-rtsp_transport', 'tcp']);
    });

    it(`${name} keeps the camera URL and its credentials out of the real argv (security #3)`, () => {
      const command = commands[name]!(CAMERA);
      expect(command.args.join(' ')).not.toMatch(/user|p%40ss|rtsp:/);
      expect(command.args.slice(command.args.indexOf('-i'), command.args.indexOf('-i') + 2)).toEqual(['-i', 'pipe:0']);
    });
  }

  it('samplerArgs also reads the relay\'s own loopback RTMP stream', () => {
    const command = samplerArgs({ url: LOCAL_RELAY, sampleFps: 2, width: 640, height: 384, inputTimeoutSeconds: 5 });
    expect(command.args.join(' ')).not.toContain('sign=');
    const args = effectiveArgs(command);
    expect(inputOf(args)).toEqual([LOCAL_RELAY]);
    expect(args).not.toContain('-rtsp_transport');
  });

  it('relayArgs writes only to the local RTMP server and an absolute HLS folder', () => {
    const base = { inputUrl: CAMERA, rtmpUrl: LOCAL_RELAY, hlsDir: '/tmp/hls/cam1', hlsSegmentSeconds: 1, hlsListSize: 4, inputTimeoutSeconds: 5 };
    expect(() => relayArgs({ ...base, rtmpUrl: 'rtmp://203.0.113.7/live/x' })).toThrow(expect.objectContaining({ code: 'FFMPEG_OUTPUT_INVALID' }));
    expect(() => relayArgs({ ...base, hlsDir: 'relative/hls' })).toThrow(expect.objectContaining({ code: 'FFMPEG_PATH_INVALID' }));
    expect(() => relayArgs({ ...base, hlsDir: '/tmp/a|b', transcode: true })).toThrow(expect.objectContaining({ code: 'FFMPEG_PATH_INVALID' }));
  });

  it('testClipArgs takes absolute image paths with a known decoder only', () => {
    const format = { width: 320, height: 180, fps: 10, gopSeconds: 1 };
    const args = testClipArgs([{ image: '/media/a.jpg', seconds: 1, decoder: 'mjpeg' }, { image: null, seconds: 1, decoder: null }], format, '/tmp/clip.mp4');
    expect(inputOf(args)).toEqual(['/media/a.jpg', 'color=c=black:s=320x180:r=10']);
    expect(args.at(-1)).toBe('/tmp/clip.mp4');
    expect(() => testClipArgs([{ image: '-i', seconds: 1, decoder: 'mjpeg' }], format, '/tmp/clip.mp4')).toThrow(expect.objectContaining({ code: 'FFMPEG_PATH_INVALID' }));
    expect(() => testClipArgs([{ image: '/media/a.jpg', seconds: 1, decoder: 'concat' as 'png' }], format, '/tmp/clip.mp4')).toThrow(expect.objectContaining({ code: 'FFMPEG_INPUT_INVALID' }));
    expect(() => testClipArgs([{ image: '/media/a.jpg', seconds: 1, decoder: 'png' }], format, 'clip.mp4')).toThrow(expect.objectContaining({ code: 'FFMPEG_PATH_INVALID' }));
  });
});

describe('ffmpeg stderr scrubbing', () => {
  it('removes user:password and the relay signature from URLs ffmpeg echoes', () => {
    const line = `Error opening input ${CAMERA} and ${LOCAL_RELAY}: Connection refused`;
    const scrubbed = scrubCredentials(line);
    expect(scrubbed).not.toMatch(/user|p%40ss|sign=|1-abc/);
    expect(scrubbed).toContain('127.0.0.1:8554/cam1');
  });

  it('removes a password that ends the generic URL match early, given the URL ffmpeg was run with', () => {
    const url = "rtsp://admin:it's-s3cret@10.0.0.5:554/Streaming/101";
    const scrubbed = scrubCredentials(`${url}: 401 Unauthorized`, [url]);
    expect(scrubbed).not.toMatch(/admin|s3cret/);
    expect(scrubbed).toContain('10.0.0.5:554/Streaming/101');
  });
});
