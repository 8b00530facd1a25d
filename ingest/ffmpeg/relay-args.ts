import { join } from 'node:path';
import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { assertCameraUrl } from '../rtsp/camera-url.ts';
import { assertLocalRtmp, assertPlainPath, rtspInputOptions } from './ffmpeg-args.ts';
import { privateInput, type FfmpegCommand } from './private-input.ts';

/** Codecs that go into FLV and browser MSE as they are; anything else is transcoded to H.264. */
export const PASSTHROUGH_VIDEO_CODECS: ReadonlySet<string> = new Set(['h264']);

export interface RelayArgsOptions {
  /** rtsp:// or rtsps:// URL, credentials included (to ffmpeg's stdin only, never argv or logs). */
  inputUrl: string;
  /**
   * Where the FLV output goes: stdout (the default; the hub publishes it in-process, so no publish URL or
   * signature is in argv), or a local RTMP URL of the embedded media server.
   */
  rtmpUrl?: string;
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

/**
 * One camera pull: RTSP over TCP in, two outputs from the same packets: FLV to the embedded media server
 * (low-latency live view, analytics) and short HLS segments on disk. Video only. With `-c copy` the two
 * outputs are plain ffmpeg outputs; a transcode goes through the tee muxer so the encoder runs once.
 * If an output fails ffmpeg exits and the supervisor restarts the whole pull. The camera URL goes through
 * stdin (`privateInput()`), the FLV to stdout: neither a password nor a signature is in argv.
 */
export function relayArgs(o: RelayArgsOptions): FfmpegCommand {
  const input = assertCameraUrl(o.inputUrl).toString();
  const { args: inputArgs, stdin } = privateInput(input, [
    ...rtspInputOptions(o.inputTimeoutSeconds),
    // Small probe for a fast start.
    ['fflags', '+genpts+discardcorrupt'], ['probesize', '500000'], ['analyzeduration', '200000'],
  ]);
  return { args: relayOutputs(o, inputArgs), stdin };
}

/** A relay input the hub writes to ffmpeg's stdin as it arrives (GB/T 28181 live video: MPEG-PS). */
export interface RelayFeedCommand {
  args: string[];
  /** stdin stays open: the hub writes the feed's bytes to it. */
  feedStdin: true;
}

/**
 * The same two outputs as relayArgs() from bytes the hub feeds on stdin: `-f mpeg` (MPEG-2 PS, the
 * payload of GB/T 28181 RTP); video only, since ffmpeg misreads G.711 in PS as MP2 audio.
 */
export function relayFeedArgs(o: Omit<RelayArgsOptions, 'inputUrl' | 'inputTimeoutSeconds'> & { format: 'mpeg' }): RelayFeedCommand {
  const inputArgs = ['-fflags', '+genpts+discardcorrupt', '-probesize', '200000', '-analyzeduration', '200000', '-f', o.format, '-i', 'pipe:0'];
  return { args: relayOutputs(o, inputArgs), feedStdin: true };
}

function relayOutputs(o: Omit<RelayArgsOptions, 'inputUrl' | 'inputTimeoutSeconds'>, inputArgs: string[]): string[] {
  const flvOutput = o.rtmpUrl ?? 'pipe:1';
  if (o.rtmpUrl !== undefined) assertLocalRtmp(o.rtmpUrl);
  assertPlainPath(o.hlsDir, 'HLS folder');
  const hls: Array<[string, string]> = [
    // Cut at the first key frame 90% of the target in: camera time stamps jitter, and the first segment starts
    // a frame late, so an exact 1 s target on a 1 s GOP would make the first segment 2 s long.
    ['hls_time', String(Math.round(o.hlsSegmentSeconds * 90) / 100)], ['hls_list_size', String(o.hlsListSize)],
    // temp_file: a segment appears under its final name only once complete. program_date_time: each segment's
    // wall clock, which the recorder (recording/camera-recorder.ts) indexes segments by.
    ['hls_flags', 'delete_segments+independent_segments+temp_file+omit_endlist+program_date_time'],
    ['hls_start_number_source', 'epoch'],
    // Segments that left the playlist stay on disk a while longer, for viewers that fetch late.
    ['hls_delete_threshold', String(o.hlsListSize)],
    ['hls_segment_filename', join(o.hlsDir, 'seg_%d.ts')],
  ];
  const playlist = join(o.hlsDir, HLS_PLAYLIST);
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'info', '-nostats',
    '-fflags', '+genpts', '-probesize', '500000', '-analyzeduration', '200000', ...inputArgs,
  ];
  if (!o.transcode) {
    args.push('-map', '0:v:0', '-c:v', 'copy', '-an', '-f', 'flv', '-flvflags', 'no_duration_filesize', flvOutput);
    args.push('-map', '0:v:0', '-c:v', 'copy', '-an', '-f', 'hls', ...hls.flatMap(([k, v]) => [`-${k}`, v]), playlist);
    return args;
  }
  if (/[:|[\]'\\]/.test(o.hlsDir)) throw new DomainError('FFMPEG_PATH_INVALID', 'HLS folder must not contain : | [ ] \' or backslashes (tee muxer syntax)');
  // Low-cost encode with a 1 s GOP so HLS segments and the FLV GOP cache stay short.
  args.push('-map', '0:v:0', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-force_key_frames', 'expr:gte(t,n_forced*1)', '-sc_threshold', '0', '-bf', '0', '-flags', '+global_header');
  const hlsSlave = ['f=hls', ...hls.map(([k, v]) => `${k}=${v}`)].join(':');
  args.push('-f', 'tee', `[f=flv:flvflags=no_duration_filesize]${flvOutput}|[${hlsSlave}]${playlist}`);
  return args;
}
