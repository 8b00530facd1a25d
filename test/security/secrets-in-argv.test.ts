import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { startRtspServer } from '../../devtools/sim/rtsp-server.ts';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { FfmpegRunner } from '../../ingest/ffmpeg/ffmpeg-runner.ts';
import { samplerArgs } from '../../ingest/ffmpeg/sampler-args.ts';
import { grabFrame } from '../../ingest/snapshot/ffmpeg-frame.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { FAST_RELAY, ffmpegChildren, play, readFlv, relayOf, until } from '../relay/relay-fixtures.ts';

const USER = 'cam-admin';
const PASSWORD = 'Pr0cess-Table-S3cret';

/** The argv of a running process ('' once it is gone). */
function commandLine(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return ''; }
}

/** Every ffmpeg child's argv seen while `during` runs (polled every 20 ms). */
async function watchArgv<T>(during: () => Promise<T>): Promise<{ result: T; seen: Map<number, string> }> {
  const seen = new Map<number, string>();
  let done = false;
  const poll = (async () => {
    while (!done) {
      for (const pid of ffmpegChildren()) {
        const line = commandLine(pid);
        if (line) seen.set(pid, line);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    return { result: await during(), seen };
  } finally {
    done = true;
    await poll;
  }
}

function expectNoSecrets(seen: Map<number, string>): void {
  expect(seen.size).toBeGreaterThan(0);
  for (const line of seen.values()) {
    expect(line).not.toContain(PASSWORD);
    expect(line).not.toContain(encodeURIComponent(PASSWORD));
    expect(line).not.toMatch(/sign=/);
  }
}

describeEachDatabase('secrets stay out of the process table', (kind) => {
  let t: TestHub;
  let sim: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    sim = await startRtspServer({ mounts: ['/cam'], clipPath: await buildPresetClip('small'), username: USER, password: PASSWORD });
    t = await startTestHub(kind, { overrides: FAST_RELAY });
    const created = await t.api('/api/v1/cameras', {
      user: t.users.admin,
      body: { name: 'Locked gate', departmentId: t.departments.ps, category: 'public_security', streamUrl: sim.urlFor('/cam'), username: USER, password: PASSWORD },
    });
    expect(created.status).toBe(201);
    camera = created.body.id as string;
  });
  afterAll(async () => {
    await t?.stop();
    await sim?.stop();
  });

  it('security #3: a relay pull of a camera with a password shows neither the password nor an RTMP signature in ffmpeg\'s argv', async () => {
    const { seen } = await watchArgv(async () => {
      const started = await play(t, t.users.psViewer, camera, 'flv'); // keeps the play-binding cookie (#13)
      expect(started.status).toBe(201);
      const flv = await readFlv(t, started.body.flvUrl as string, 32 * 1024);
      flv.controller.abort();
      expect(flv.data.length).toBeGreaterThanOrEqual(32 * 1024); // the pull really authenticated and runs
    });
    expectNoSecrets(seen);
  }, 60_000);

  it('security #3: the analytics sampler and a still grab (relay output and camera) keep secrets out of argv', async () => {
    const lease = await relayOf(t).acquire(camera, 'analytics');
    const sampler = new FfmpegRunner({
      ffmpegPath: 'ffmpeg', name: 'ffmpeg:test-sampler', rawStdout: true,
      restart: { initialDelayMs: 200, maxDelayMs: 1_000 },
      args: samplerArgs({ url: lease.url, sampleFps: 2, width: 320, height: 192, inputTimeoutSeconds: 2 }),
    });
    let frameBytes = 0;
    sampler.on('stdout', (stream) => stream.on('data', (chunk: Buffer) => { frameBytes += chunk.length; }));
    const cameraUrl = new URL(sim.urlFor('/cam'));
    cameraUrl.username = USER;
    cameraUrl.password = PASSWORD;
    try {
      const { result, seen } = await watchArgv(async () => {
        sampler.start();
        await until('sampled frames', () => frameBytes >= 320 * 192 * 3, 20_000);
        const fromRelay = await grabFrame(relayOf(t).leaseRunning(camera, 'test')!.url, 10_000, 'ffmpeg');
        const fromCamera = await grabFrame(cameraUrl.toString(), 10_000, 'ffmpeg');
        return [fromRelay, fromCamera];
      });
      for (const jpeg of result) expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expectNoSecrets(seen);
    } finally {
      await sampler.stop();
      lease.release();
    }
  }, 60_000);

  it('security #3: a local RTMP URL lives minutes, not years, and admits one reader only', async () => {
    const lease = await relayOf(t).acquire(camera, 'analytics');
    try {
      const expires = Number(/sign=(\d+)-/.exec(lease.url)?.[1]);
      expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(10 * 60_000);
      expect(expires * 1000).toBeGreaterThan(Date.now());
      // The hub's reader gets a frame; anyone replaying the same URL afterwards does not.
      expect((await grabFrame(lease.url, 10_000, 'ffmpeg')).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      // Refused at once (ffmpeg exits with an error), not merely slow.
      await expect(grabFrame(lease.url, 5_000, 'ffmpeg')).rejects.toMatchObject({ code: 'SNAPSHOT_FAILED' });
    } finally {
      lease.release();
    }
  }, 60_000);
});
