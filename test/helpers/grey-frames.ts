import { spawn } from 'node:child_process';

/**
 * Decodes video frames to grey pixels (one byte each) with ffmpeg: `input` is ffmpeg input argv (a file, or
 * `-rtsp_transport tcp -i rtsp://…`), `select` output options choosing frames (`-frames:v 50`, `-vf …`).
 * Frames are `width` × `height` (scaled when the video is another size). Bounded by `timeoutMs`.
 */
export function greyFrames(input: string[], select: string[], width: number, height: number, timeoutMs = 30_000): Promise<Uint8Array[]> {
  const args = ['-hide_banner', '-v', 'error', '-nostdin', ...input, ...select, '-s', `${width}x${height}`, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'];
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`ffmpeg ${code ?? signal}: ${stderr.slice(0, 500)}`));
      const all = Buffer.concat(chunks);
      const size = width * height;
      resolve(Array.from({ length: Math.floor(all.length / size) }, (_, i) => new Uint8Array(all.subarray(i * size, (i + 1) * size))));
    });
  });
}
