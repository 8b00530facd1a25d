import { streamInputOptions } from './ffmpeg-args.ts';
import { privateInput, type FfmpegCommand } from './private-input.ts';

/**
 * ffmpeg command for one JPEG frame written to stdout (snapshots of cameras without a snapshot URI), read from
 * the relay's local RTMP output while it pulls the camera, else from the camera's own stream. The URL goes
 * through stdin (`privateInput()`), never argv.
 */
export function frameGrabArgs(pullUrl: string, timeoutMs: number): FfmpegCommand {
  const input = privateInput(pullUrl, streamInputOptions(pullUrl, timeoutMs / 1000));
  return {
    args: ['-hide_banner', '-nostdin', '-loglevel', 'error', ...input.args, '-frames:v', '1', '-an', '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1'],
    stdin: input.stdin,
  };
}
