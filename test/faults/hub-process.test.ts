import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { recordFault } from './fault-table.ts';
import { descendantsOf, HubProcess, hubEnv, isAlive, waitGone } from './hub-process.ts';
import { postPasses, startIngestLoad } from './pass-driver.ts';

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

/**
 * The hub as operators run it (CLI child process, SQLite, private Redis, every feature): kill -9 during
 * ingest loses no acknowledged pass; SIGTERM under load stops within the grace budget, exit 0, no child
 * process left, and again nothing acknowledged is lost.
 */
describe('hub process faults (CLI, SQLite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-faults-cli-'));
  const started: HubProcess[] = [];
  const strays: Array<{ pid: number; command: string }> = [];
  let rtsp: RtspServerHandle | undefined;
  afterAll(async () => {
    await rtsp?.stop();
    for (const hub of started) await hub.kill();
    // Children orphaned by the kill -9 (the hub cannot clean up after SIGKILL): ours to end, by pid.
    for (const stray of strays) if (isAlive(stray.pid)) process.kill(stray.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kill -9 during ingest, restart, then SIGTERM under load: nothing acknowledged lost, exit 0, no children left', async () => {
    const env = await hubEnv(dataDir);
    let hub = await HubProcess.start(env);
    started.push(hub);
    const token = await hub.login();
    const dept = await hub.api(token, '/api/v1/departments', { name: 'Traffic Police', kind: 'traffic', isGovernment: true });
    expect(dept.status).toBe(201);
    const camera = await hub.api(token, '/api/v1/cameras', { name: 'gate 1', departmentId: dept.body.id, category: 'traffic', streamUrl: 'rtsp://127.0.0.1:9/absent' });
    expect(camera.status).toBe(201);

    let url = hub.url;
    const load = startIngestLoad({ url: () => url, token: () => token, cameraId: camera.body.id, batch: 20, lanes: 3 });
    await until(() => load.tally.acknowledged.size >= 1_000, 60_000);
    expect(load.tally.acknowledged.size).toBeGreaterThanOrEqual(1_000);

    // kill -9: no shutdown path runs at all.
    const children = descendantsOf(hub.pid);
    strays.push(...children);
    const killedAt = Date.now();
    hub.child.kill('SIGKILL');
    await hub.exited;
    const ackedAtKill = load.tally.acknowledged.size;
    await new Promise((r) => setTimeout(r, 1_000));
    // Known gap (reported, not asserted): children of a SIGKILLed hub outlive it (nothing ends them).
    const orphans = children.filter((child) => isAlive(child.pid)).map((child) => child.command);
    for (const child of children) if (isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
    await waitGone(children, 5_000);

    hub = await HubProcess.start(env);
    started.push(hub);
    url = hub.url;
    await until(() => load.tally.acknowledged.size > ackedAtKill, 30_000);
    const killRecovery = (Date.now() - killedAt) / 1_000;
    const ackedFirstLife = new Set([...load.tally.acknowledged].slice(0, ackedAtKill));

    // SIGTERM while ingest and searches run.
    const searches = (async () => {
      let n = 0;
      while (hub.child.exitCode === null && n < 10_000) {
        await fetch(`${url}/api/v1/checkpoint/passes?limit=50`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.arrayBuffer()).catch(() => {});
        n++;
      }
    })();
    await until(() => load.tally.acknowledged.size >= ackedAtKill + 500, 30_000);
    // A live view running too, so that an ffmpeg child is there when SIGTERM arrives.
    rtsp = await startRtspServer({ mounts: ['/live'], clipPath: await buildPresetClip('small') });
    const live = await hub.api(token, '/api/v1/cameras', { name: 'live gate', departmentId: dept.body.id, category: 'traffic', streamUrl: rtsp.urlFor('/live') });
    expect(live.status).toBe(201);
    const play = await hub.api(token, `/api/v1/cameras/${live.body.id}/play`, { protocol: 'hls' });
    expect(play.status).toBe(201);
    const withFfmpeg = async () => descendantsOf(hub.pid).some((k) => k.command === 'ffmpeg');
    for (let i = 0; i < 50 && !(await withFfmpeg()); i++) {
      await fetch(`${url}${play.body.hlsUrl}`, { signal: AbortSignal.timeout(15_000) }).then((r) => r.arrayBuffer()).catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
    }
    const kids = descendantsOf(hub.pid);
    expect(kids.map((k) => k.command)).toContain('redis-server');
    expect(kids.map((k) => k.command)).toContain('ffmpeg');
    const termAt = Date.now();
    hub.child.kill('SIGTERM');
    const exit = await hub.exited;
    const stopSeconds = (Date.now() - termAt) / 1_000;
    const tally = await load.stop();
    await searches;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopSeconds, 'graceful stop exceeded shutdown.graceMs plus a margin').toBeLessThan(5 + 5);
    // tsx's esbuild helper leaves when its pipe closes, a moment after node exits.
    const left = await waitGone(kids, 3_000);
    expect(left, `children outlived the hub: ${JSON.stringify(left)}`).toEqual([]);

    // Re-send what was not acknowledged on a third start, then count on the SQLite file itself.
    hub = await HubProcess.start(env);
    started.push(hub);
    for (const batch of tally.unacknowledged) expect(await postPasses(hub.url, token, batch)).toBe(true);
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);
    const sqlite = new SQLite(join(dataDir, 'hub.sqlite'), { readonly: true });
    const ids = new Set((sqlite.prepare('select id from checkpoint_passes where id like ?').all(`fault-${load.runId}-%`) as Array<{ id: string }>).map((r) => r.id));
    const rows = (sqlite.prepare('select count(*) as n from checkpoint_passes where id like ?').get(`fault-${load.runId}-%`) as { n: number }).n;
    const contentDuplicates = (sqlite.prepare('select count(*) - count(distinct plate || passed_at) as d from checkpoint_passes').get() as { d: number }).d;
    sqlite.close();

    const missingFirst = [...ackedFirstLife].filter((id) => !ids.has(id));
    const ackedSecond = [...tally.acknowledged].filter((id) => !ackedFirstLife.has(id));
    const missingSecond = ackedSecond.filter((id) => !ids.has(id));
    recordFault({ fault: 'kill -9 hub (SQLite) during ingest', expected: ackedFirstLife.size, found: ackedFirstLife.size - missingFirst.length, duplicates: rows - ids.size + contentDuplicates, recoverySeconds: killRecovery, note: `recovery includes node start; orphaned by the kill: ${orphans.join(', ') || 'none'}` });
    recordFault({ fault: 'SIGTERM under load (ingest, search, live view)', expected: ackedSecond.length, found: ackedSecond.length - missingSecond.length, duplicates: 0, recoverySeconds: null, note: `exit 0 after ${stopSeconds.toFixed(1)} s, ${kids.map((k) => k.command).join(" + ")} gone` });
    expect(missingFirst).toEqual([]);
    expect(missingSecond).toEqual([]);
    expect(rows - ids.size + contentDuplicates).toBe(0);
    expect(ids.size).toBe(load.sent());
  });
});
