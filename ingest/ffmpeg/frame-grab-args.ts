import { streamInputOptions } from './ffmpeg-args.ts';

/**
 * ffmpeg argv for one JPEG frame written to stdout (snapshots of cameras without a snapshot URI), read from
 * the relay's local RTMP output while it pulls the camera, else from the camera's own stream.
 */
export function frameGrabArgs(pullUrl: string, timeoutMs: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', ...streamInputOptions(pullUrl, timeoutMs / 1000),
    '-i', pullUrl, '-frames:v', '1', '-an', '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1',
  ];
}
