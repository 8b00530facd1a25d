import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { assertPlainPath } from './ffmpeg-args.ts';
import type { FfmpegCommand } from './private-input.ts';

/** Progress as key=value lines on stdout (out_time_us=…, progress=end), read by the export job. */
const PROGRESS = ['-nostats', '-progress', 'pipe:1'];

function concatScript(files: string[]): string {
  if (files.length === 0) throw new DomainError('FFMPEG_INPUT_INVALID', 'a clip needs at least one recorded segment');
  const lines = ['ffconcat version 1.0'];
  for (const file of files) {
    assertPlainPath(file, 'recorded segment');
    // file: explicitly: a bare path would be resolved against the script's own URL (pipe:0).
    lines.push(`file 'file:${file.replaceAll("'", "'\\''")}'`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Pass 1 of an evidence clip: the recorded segments (absolute paths, in order) joined without re-encoding
 * into one MP4 (an indexed container, so pass 2 can cut at an exact key frame). The segment list goes on
 * stdin as an ffconcat script; only local files are read.
 */
export function clipJoinArgs(segmentFiles: string[], output: string): FfmpegCommand {
  assertPlainPath(output, 'clip output');
  return {
    args: ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...PROGRESS,
      '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,pipe', '-i', 'pipe:0',
      '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-f', 'mp4', output],
    stdin: concatScript(segmentFiles),
  };
}

export interface ClipCaption {
  /** UTF-8 text file with the caption lines (camera, time, operator); read by drawtext, never parsed as a filter. */
  textFile: string;
  fontFile: string;
}

/**
 * Pass 2: the evidence clip from the joined file. Input seeking to `startSeconds` (a key frame of the
 * recording) and `durationSeconds` long; stream copy, or with `caption` the text burned in (libx264
 * re-encode, the only case that re-encodes). MP4 with the index up front.
 */
export function clipCutArgs(joined: string, output: string, startSeconds: number, durationSeconds: number, caption?: ClipCaption): string[] {
  assertPlainPath(joined, 'joined clip');
  assertPlainPath(output, 'clip output');
  if (!(startSeconds >= 0) || !(durationSeconds > 0)) throw new DomainError('FFMPEG_INPUT_INVALID', 'clip start must be ≥ 0 and its duration > 0');
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...PROGRESS,
    '-ss', startSeconds.toFixed(3), '-i', joined, '-t', durationSeconds.toFixed(3), '-map', '0:v:0', '-map', '0:a:0?'];
  if (caption) {
    assertPlainPath(caption.textFile, 'caption text');
    assertPlainPath(caption.fontFile, 'caption font');
    // Inside quotes ffmpeg's option parser takes everything literally up to the next quote: refuse quotes and backslashes.
    const quote = (path: string) => {
      if (/['\\]/.test(path)) throw new DomainError('FFMPEG_PATH_INVALID', 'caption paths must not contain quotes or backslashes');
      return `'${path}'`;
    };
    const drawtext = `drawtext=fontfile=${quote(caption.fontFile)}:textfile=${quote(caption.textFile)}:expansion=none:`
      + 'fontcolor=white:fontsize=h/28:line_spacing=6:box=1:boxcolor=black@0.55:boxborderw=8:x=16:y=16';
    args.push('-vf', drawtext, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'copy');
  } else {
    args.push('-c', 'copy', '-avoid_negative_ts', 'make_zero');
  }
  args.push('-movflags', '+faststart', '-f', 'mp4', output);
  return args;
}

/** One JPEG frame of a recorded segment at `offsetSeconds` from its start (a still export from the recording), to stdout. */
export function recordedFrameArgs(segmentFile: string, offsetSeconds: number): string[] {
  assertPlainPath(segmentFile, 'recorded segment');
  if (!(offsetSeconds >= 0)) throw new DomainError('FFMPEG_INPUT_INVALID', 'frame offset must be ≥ 0');
  // Output-side seek: decode from the segment's start (2–10 s) and keep the first frame at the offset; input
  // seeking in MPEG-TS goes by byte search and can land past the end of a short segment.
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', segmentFile, '-ss', offsetSeconds.toFixed(3),
    '-frames:v', '1', '-an', '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '2', 'pipe:1'];
}
