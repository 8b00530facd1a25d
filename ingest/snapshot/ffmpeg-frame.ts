import type { Readable } from 'node:stream';
import { HubError } from '../../api/errors/hub-error.ts';
import { SupervisedProcess } from '../../api/process/supervised-process.ts';
import { assertCameraUrl } from '../rtsp/camera-url.ts';

const MAX_FRAME_BYTES = 32 * 1024 * 1024;

/**
 * One JPEG frame from an RTSP stream, for cameras without a usable snapshot URI. ffmpeg runs supervised
 * (argv only, own process group, killed at the deadline). Its stderr may echo the URL with credentials,
 * so it is never logged or returned.
 */
export async function grabFrame(pullUrl: string, timeoutMs: number): Promise<Buffer> {
  assertCameraUrl(pullUrl);
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-timeout', String(timeoutMs * 1000),
    '-i', pullUrl, '-frames:v', '1', '-an', '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1',
  ];
  const ffmpeg = new SupervisedProcess({ name: 'ffmpeg:snapshot', command: 'ffmpeg', args, rawStdout: true, stopTimeoutMs: 1_000 });
  const chunks: Buffer[] = [];
  let size = 0;
  ffmpeg.on('stdout', (stream: Readable) => {
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_FRAME_BYTES) chunks.push(chunk);
      else void ffmpeg.stop();
    });
  });
  const exited = new Promise<number | null>((resolve) => ffmpeg.once('exit', (code) => resolve(code)));
  const failedToStart = new Promise<never>((_, reject) => {
    ffmpeg.once('spawn', (child) => child.once('error', (cause) => reject(new HubError('SNAPSHOT_FFMPEG', 'cannot start ffmpeg', 500, { cause }))));
  });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; void ffmpeg.stop(); }, timeoutMs);
  ffmpeg.start();
  try {
    const code = await Promise.race([exited, failedToStart]);
    if (timedOut) throw new HubError('SNAPSHOT_TIMEOUT', `no frame from the camera stream within ${timeoutMs} ms`, 504);
    if (code !== 0 || chunks.length === 0) throw new HubError('SNAPSHOT_FAILED', `could not read a frame from the camera stream (ffmpeg exit ${code})`, 502);
    return Buffer.concat(chunks);
  } finally {
    clearTimeout(timer);
    await ffmpeg.stop();
  }
}
