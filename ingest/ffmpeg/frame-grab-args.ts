import { assertCameraUrl } from '../rtsp/camera-url.ts';
import { rtspInputOptions } from './ffmpeg-args.ts';

/** ffmpeg argv for one JPEG frame of a camera stream, written to stdout (snapshots of cameras without a snapshot URI). */
export function frameGrabArgs(pullUrl: string, timeoutMs: number): string[] {
  assertCameraUrl(pullUrl);
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', ...rtspInputOptions(timeoutMs / 1000),
    '-i', pullUrl, '-frames:v', '1', '-an', '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1',
  ];
}
