import { DomainError } from '../../api/kernel/errors/domain-error.ts';
import { frameGrabArgs } from '../ffmpeg/frame-grab-args.ts';
import { runFfmpegOnce } from '../ffmpeg/ffmpeg-run.ts';

const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/**
 * One JPEG frame of a camera (its RTSP stream, or the relay's local output of it), for cameras without a
 * usable snapshot URI. The URL reaches ffmpeg through stdin, not argv. ffmpeg's stderr may echo the URL with credentials, so it is never logged or returned.
 */
export async function grabFrame(pullUrl: string, timeoutMs: number, ffmpegPath: string): Promise<Buffer> {
  const run = await runFfmpegOnce({
    name: 'ffmpeg:snapshot', ffmpegPath, ...frameGrabArgs(pullUrl, timeoutMs), timeoutMs, maxStdoutBytes: MAX_FRAME_BYTES, stderrLines: 0, startErrorCode: 'SNAPSHOT_FFMPEG',
  });
  if (run.timedOut) throw new DomainError('SNAPSHOT_TIMEOUT', `no frame from the camera stream within ${timeoutMs} ms`);
  if (run.code !== 0 || run.stdout.length === 0) throw new DomainError('SNAPSHOT_FAILED', `could not read a frame from the camera stream (ffmpeg exit ${run.code})`);
  return run.stdout;
}
