import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FrameSampler } from '../../analytics/pipeline/frame-sampler.ts';

/** A loopback port that refuses connections (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Regression: the sampler's last ffmpeg error line (served in /api/v1/analytics/stats and logged) kept the
// relay URL's `?sign=` signature; only user:password was removed.
describe('analytics sampler error line (regression: relay signature leaked into stats and logs)', () => {
  it('reports the failure without the signature or camera credentials', async () => {
    const port = await closedPort();
    const url = `rtmp://127.0.0.1:${port}/live/cam1-r1?sign=1767225600-feedc0ffee`;
    const logged: string[] = [];
    const log = { info() {}, debug() {}, error() {}, warn: (obj: unknown, msg?: string) => { logged.push(JSON.stringify(obj) + (msg ?? '')); } };
    const sampler = new FrameSampler({
      cameraId: 'cam1', source: { acquire: async () => ({ url, release() {} }) }, ffmpegPath: 'ffmpeg',
      sampleFps: 2, width: 64, height: 64, inputTimeoutSeconds: 2, ringSize: 2,
      backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 }, log,
      onFrame: () => {}, onDropped: () => {},
    });
    sampler.start();
    try {
      await expect.poll(() => logged.length, { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
      expect(sampler.lastErrorLine).toMatch(/refused|error|fail/i);
      expect(sampler.lastErrorLine).not.toContain('feedc0ffee');
      expect(logged.join('\n')).not.toContain('feedc0ffee');
    } finally {
      await sampler.stop();
    }
  });
});
