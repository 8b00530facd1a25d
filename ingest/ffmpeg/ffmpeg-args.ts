import { isAbsolute, join } from 'node:path';
import { badRequest } from '../../api/errors/hub-error.ts';
import { assertCameraUrl } from '../rtsp/camera-url.ts';

/**
 * ffmpeg argv building, the one place that knows ffmpeg's options. The hub never hands ffmpeg a shell
 * string: every value is its own argv entry, inputs are checked camera URLs, outputs are paths we made.
 * (fluent-ffmpeg is archived upstream; building argv arrays here keeps it out of the way entirely.)
 */

/** Codecs that go into FLV and browser MSE as they are; anything else is transcoded to H.264. */
export const PASSTHROUGH_VIDEO_CODECS: ReadonlySet<string> = new Set(['h264']);

export interface RelayArgsOptions {
  /** rtsp:// or rtsps:// URL, credentials included (argv only, never logged). */
  inputUrl: string;
  /** Local RTMP URL of the embedded media server (publish signature included). */
  rtmpUrl: string;
  /** Absolute folder the HLS playlist and segments are written to. */
  hlsDir: string;
  hlsSegmentSeconds: number;
  hlsListSize: number;
  /** Socket I/O timeout on the camera connection: a silent camera makes ffmpeg exit instead of hang. */
  inputTimeoutSeconds: number;
  /** Re-encode to H.264 (the camera sends a codec browsers or FLV cannot take). */
  transcode?: boolean;
}

export const HLS_PLAYLIST = 'index.m3u8';
/** Segment names carry the media sequence (epoch-based, so a restarted ffmpeg never reuses a name). */
export const HLS_SEGMENT_PATTERN = /^seg_(\d{1,12})\.ts$/;

function assertPlainPath(path: string, what: string): void {
  if (!isAbsolute(path) || /[\0\r\n]/.test(path)) throw badRequest('FFMPEG_PATH_INVALID', `${what} must be an absolute path without control characters`);
}

function assertLocalRtmp(url: string): void {
  const parsed = new URL(url);
  if (parsed.protocol !== 'rtmp:' || parsed.hostname !== '127.0.0.1') throw badRequest('FFMPEG_OUTPUT_INVALID', 'relay output must be the local RTMP server');
}

/**
 * One camera pull: RTSP over TCP in, two outputs from the same packets: FLV to the embedded media server
 * (low-latency live view, analytics) and short HLS segments on disk. Video only. With `-c copy` the two
 * outputs are plain ffmpeg outputs; a transcode goes through the tee muxer so the encoder runs once.
 * If an output fails ffmpeg exits and the supervisor restarts the whole pull.
 */
export function relayArgs(o: RelayArgsOptions): string[] {
  const input = assertCameraUrl(o.inputUrl).toString();
  assertLocalRtmp(o.rtmpUrl);
  assertPlainPath(o.hlsDir, 'HLS folder');
  const timeoutMicros = String(Math.round(o.inputTimeoutSeconds * 1_000_000));
  const hls: Array<[string, string]> = [
    // Cut at the first key frame 90% of the target in: camera time stamps jitter, and the first segment starts
    // a frame late, so an exact 1 s target on a 1 s GOP would make the first segment 2 s long.
    ['hls_time', String(Math.round(o.hlsSegmentSeconds * 90) / 100)], ['hls_list_size', String(o.hlsListSize)],
    // temp_file: a segment appears under its final name only once complete.
    ['hls_flags', 'delete_segments+independent_segments+temp_file+omit_endlist'],
    ['hls_start_number_source', 'epoch'],
    // Segments that left the playlist stay on disk a while longer, for viewers that fetch late.
    ['hls_delete_threshold', String(o.hlsListSize)],
    ['hls_segment_filename', join(o.hlsDir, 'seg_%d.ts')],
  ];
  const playlist = join(o.hlsDir, HLS_PLAYLIST);
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'info', '-nostats',
    // Input: TCP interleaved (no UDP ports to open), bounded socket waits, small probe for a fast start.
    '-rtsp_transport', 'tcp', '-timeout', timeoutMicros,
    '-fflags', '+genpts+discardcorrupt', '-probesize', '500000', '-analyzeduration', '200000',
    '-i', input,
  ];
  if (!o.transcode) {
    args.push('-map', '0:v:0', '-c:v', 'copy', '-an', '-f', 'flv', '-flvflags', 'no_duration_filesize', o.rtmpUrl);
    args.push('-map', '0:v:0', '-c:v', 'copy', '-an', '-f', 'hls', ...hls.flatMap(([k, v]) => [`-${k}`, v]), playlist);
    return args;
  }
  if (/[:|[\]'\\]/.test(o.hlsDir)) throw badRequest('FFMPEG_PATH_INVALID', 'HLS folder must not contain : | [ ] \' or backslashes (tee muxer syntax)');
  // Low-cost encode with a 1 s GOP so HLS segments and the FLV GOP cache stay short.
  args.push('-map', '0:v:0', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-force_key_frames', 'expr:gte(t,n_forced*1)', '-sc_threshold', '0', '-bf', '0', '-flags', '+global_header');
  const hlsSlave = ['f=hls', ...hls.map(([k, v]) => `${k}=${v}`)].join(':');
  args.push('-f', 'tee', `[f=flv:flvflags=no_duration_filesize]${o.rtmpUrl}|[${hlsSlave}]${playlist}`);
  return args;
}

/** The video codec ffmpeg reports for the input ("Stream #0:0: Video: hevc (Main), …"), if this line says it. */
export function inputVideoCodec(stderrLine: string): string | undefined {
  const match = /^\s*Stream #0:\d+.*?: Video: ([A-Za-z0-9_]+)/.exec(stderrLine);
  return match?.[1]?.toLowerCase();
}

/** Whether ffmpeg's stderr line belongs to the input section (ffmpeg prints "Input #0" before "Output #0"). */
export function isOutputHeader(stderrLine: string): boolean {
  return /^Output #\d+/.test(stderrLine);
}
