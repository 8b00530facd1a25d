import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, fetchMedia, holderHeaders, play, relayOf, rtspConnections, startSimCameras, until } from './relay-fixtures.ts';

/** The argv of a running process ('' once it is gone). */
function commandLine(pid: number | null | undefined): string {
  if (!pid) return '';
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '); } catch { return ''; }
}

/**
 * Whether the process holds an established TCP connection to the port. (The camera URL is no longer in
 * ffmpeg's argv, security #3: it goes through stdin, so argv cannot tell which camera a pull reads.)
 */
function connectedTo(pid: number | null | undefined, port: number): boolean {
  if (!pid) return false;
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  return out.includes(`pid=${pid},`);
}

/** Reads an HTTP-FLV response in the background, counting bytes until stopped. */
async function countFlvBytes(t: TestHub, path: string): Promise<{ bytes: () => number; stop: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`${t.url}${path}`, { signal: controller.signal, headers: holderHeaders(path) });
  expect(response.status).toBe(200);
  let bytes = 0;
  const reader = response.body!.getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        bytes += value.length;
      }
    } catch { /* aborted */ }
  })();
  return { bytes: () => bytes, stop: () => controller.abort() };
}

describeEachDatabase('relay: a camera edited while it is pulled', (kind) => {
  let t: TestHub;
  let oldSource: RtspServerHandle;
  let newSource: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    oldSource = await startSimCameras(['/cam']);
    newSource = await startSimCameras(['/cam']);
    t = await startTestHub(kind, { overrides: FAST_RELAY });
    camera = await addCamera(t, oldSource.urlFor('/cam'), 'Moved camera');
  });
  afterAll(async () => {
    await t?.stop();
    await oldSource?.stop();
    await newSource?.stop();
  });

  it('restarts the running pull on the new stream URL; viewers keep getting video', async () => {
    const started = await play(t, t.users.psViewer, camera, 'flv');
    expect(started.status).toBe(201);
    const viewer = await countFlvBytes(t, started.body.flvUrl);
    await until('video from the old source', () => viewer.bytes() > 16 * 1024);
    // A health probe's DESCRIBE may be open for a moment; a second pull would stay.
    await expect.poll(() => rtspConnections(oldSource.port), { timeout: 10_000, interval: 250 }).toBe(1);
    const pidBefore = relayOf(t).status().find((s) => s.streamId === camera)!.pid;
    expect(connectedTo(pidBefore, oldSource.port)).toBe(true);

    // Renaming the camera leaves the pull alone.
    expect((await t.api(`/api/v1/cameras/${camera}`, { method: 'PATCH', user: t.users.psApprover, body: { name: 'Moved camera (renamed)' } })).status).toBe(200);
    const renamed = relayOf(t).status().find((s) => s.streamId === camera)!;
    expect(renamed.pid).toBe(pidBefore);

    const patched = await t.api(`/api/v1/cameras/${camera}`, { method: 'PATCH', user: t.users.psApprover, body: { streamUrl: newSource.urlFor('/cam') } });
    expect(patched.status).toBe(200);
    // (The camera feature may probe the new URL itself, so connections alone do not tell who pulls.)
    const moved = await until('pull restarted on the new source', () => {
      const now = relayOf(t).status().find((s) => s.streamId === camera);
      return now && now.pid !== pidBefore && connectedTo(now.pid, newSource.port) ? now : undefined;
    }, 30_000, 200);
    expect(connectedTo(moved.pid, oldSource.port)).toBe(false);
    expect(commandLine(pidBefore)).toBe('');
    await until('old source released', () => rtspConnections(oldSource.port) === 0, 15_000, 200);
    // Still one pull for the camera, and the open FLV viewer gets the new source's video.
    expect(relayOf(t).status().filter((s) => s.streamId === camera)).toHaveLength(1);
    const afterSwitch = viewer.bytes();
    await until('video from the new source', () => viewer.bytes() > afterSwitch + 16 * 1024, 30_000, 200);
    const playlist = await until('HLS from the new source', async () => {
      const fetched = await fetchMedia(t, started.body.hlsUrl);
      return fetched.status === 200 ? fetched : undefined;
    }, 30_000, 500);
    expect(playlist.body.toString()).toContain('#EXTM3U');
    viewer.stop();
    await t.api(`/api/v1/play/${started.body.sessionId}/stop`, { method: 'POST', user: t.users.psViewer });
  });
});
