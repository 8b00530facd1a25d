import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { RECORDING_FEATURES, recordingOverrides, segmentsOf } from '../recording/recording-fixtures.ts';
import { addCamera, until } from '../relay/relay-fixtures.ts';
import { recordFault } from './fault-table.ts';
import { descendantsOf, HubProcess, hubEnv, isAlive, waitGone } from './hub-process.ts';

interface SegmentRow { id: string; path: string; state: string; bytes: number; duration_ms: number; started_at: number }

function readIndex(dataDir: string): { segments: SegmentRow[]; gaps: Array<{ reason: string; from_at: number; to_at: number }> } {
  const db = new SQLite(join(dataDir, 'hub.sqlite'), { readonly: true });
  try {
    return {
      segments: db.prepare('select id, path, state, bytes, duration_ms, started_at from recording_segments order by started_at').all() as SegmentRow[],
      gaps: db.prepare('select reason, from_at, to_at from recording_gaps order by from_at').all() as Array<{ reason: string; from_at: number; to_at: number }>,
    };
  } finally {
    db.close();
  }
}

/** `.part` files (segments being written) under the recordings folder, with their sizes. */
function partFiles(root: string): Array<{ path: string; size: number }> {
  const found: Array<{ path: string; size: number }> = [];
  const walk = (dir: string) => {
    for (const name of (() => { try { return readdirSync(dir); } catch { return []; } })()) {
      const path = join(dir, name);
      const info = statSync(path, { throwIfNoEntry: false });
      if (info?.isDirectory()) walk(path);
      else if (info && name.endsWith('.part')) found.push({ path, size: info.size });
    }
  };
  walk(root);
  return found;
}

/**
 * Recording under faults: kill -9 of the hub (CLI, SQLite) while a segment is being written, a recorded
 * file deleted behind the hub's back, a camera dropping off, and a full recordings volume.
 */
describe('recording faults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-faults-rec-'));
  const started: HubProcess[] = [];
  const strays: Array<{ pid: number; command: string }> = [];
  let rtsp: RtspServerHandle | undefined;
  let t: TestHub | undefined;
  afterAll(async () => {
    for (const hub of started) await hub.kill();
    for (const stray of strays) if (isAlive(stray.pid)) process.kill(stray.pid, 'SIGKILL');
    await t?.stop();
    await rtsp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kill -9 mid-segment and a segment deleted behind the hub\'s back: the index is repaired, nothing else lost', async () => {
    rtsp = await startRtspServer({ mounts: ['/kill'], clipPath: await buildPresetClip('small') });
    const env = await hubEnv(dataDir, { HUB_RECORDING_SEGMENT_SECONDS: '4', HUB_RECORDING_MIN_FREE_BYTES: '0', HUB_INGEST_HEALTH_INTERVAL_MS: '3600000' });
    let hub = await HubProcess.start(env);
    started.push(hub);
    const token = await hub.login();
    const dept = await hub.api(token, '/api/v1/departments', { name: 'Public Security', kind: 'public_security', isGovernment: true });
    const camera = await hub.api(token, '/api/v1/cameras', { name: 'kill gate', departmentId: dept.body.id, category: 'public_security', streamUrl: rtsp.urlFor('/kill') });
    expect(camera.status).toBe(201);
    const put = await fetch(`${hub.url}/api/v1/cameras/${camera.body.id}/recording`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'continuous' }) });
    expect(put.status).toBe(200);
    const root = join(dataDir, 'recordings');

    // Wait for three closed segments and one being written that holds more than a relay segment.
    await until('three segments', () => readIndex(dataDir).segments.length >= 3, 90_000);
    await until('a segment half written', () => partFiles(root).some((p) => p.size > 20_000), 30_000);
    const before = readIndex(dataDir).segments;
    const cut = partFiles(root)[0]!;
    const children = descendantsOf(hub.pid);
    strays.push(...children);
    hub.child.kill('SIGKILL');
    await hub.exited;
    for (const child of children) if (isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
    await waitGone(children, 5_000);
    const cutSize = statSync(cut.path).size;

    // Behind the hub's back: one recorded file goes.
    const victim = before[1]!;
    rmSync(join(root, victim.path));

    const restartedAt = Date.now();
    hub = await HubProcess.start(env);
    started.push(hub);
    await until('recording after restart', () => readIndex(dataDir).segments.some((s) => s.started_at > restartedAt && s.state === 'complete'), 90_000);
    const recoverySeconds = (Date.now() - restartedAt) / 1_000;
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);

    const after = readIndex(dataDir);
    const byPath = new Map(after.segments.map((s) => [s.path, s]));
    const kept = before.filter((s) => s.id !== victim.id && byPath.get(s.path)?.state === 'complete');
    const cutPath = cut.path.slice(root.length + 1).replace(/\.part$/, '');
    const repaired = byPath.get(cutPath);
    recordFault({
      fault: 'kill -9 hub mid-segment (recording, SQLite)', expected: before.length - 1 + 1, found: kept.length + (repaired ? 1 : 0), duplicates: after.segments.length - byPath.size,
      recoverySeconds, note: `cut segment ${cutSize} B → ${repaired?.state ?? 'lost'} ${repaired?.bytes ?? 0} B, ${repaired?.duration_ms ?? 0} ms; no .part left: ${partFiles(root).length === 0}`,
    });
    const missingGap = after.gaps.find((g) => g.reason === 'segment_missing');
    recordFault({
      fault: 'recorded segment deleted behind the hub\'s back', expected: 1, found: byPath.get(victim.path)?.state === 'missing' ? 1 : 0, duplicates: 0, recoverySeconds: null,
      note: `marked missing at start-up, gap ${missingGap ? `${missingGap.to_at - missingGap.from_at} ms` : 'none'}`,
    });
    expect(kept.length).toBe(before.length - 1);
    expect(repaired && ['repaired', 'partial'].includes(repaired.state)).toBe(true);
    expect(repaired!.bytes % 188).toBe(0);
    expect(partFiles(root)).toEqual([]);
    expect(byPath.get(victim.path)?.state).toBe('missing');
    expect(missingGap).toBeDefined();
    expect(after.gaps.some((g) => g.reason === 'hub_restart')).toBe(true);
  }, 300_000);

  it('a camera drop is a gap, not a crash; a full volume drops the oldest, never the newest', async () => {
    const mounts = ['/drop', '/full'];
    const server = await startRtspServer({ mounts, clipPath: await buildPresetClip('small') });
    rtsp = server;
    t = await startTestHub('sqlite', { overrides: recordingOverrides(), features: RECORDING_FEATURES });
    const hub = t;
    const [drop, full] = [await addCamera(hub, server.urlFor('/drop')), await addCamera(hub, server.urlFor('/full'))];
    for (const id of [drop, full]) expect((await hub.api(`/api/v1/cameras/${id}/recording`, { method: 'PUT', user: hub.users.psApprover, body: { mode: 'continuous' } })).status).toBe(200);
    await until('recording both', async () => (await segmentsOf(hub, drop)).length >= 2 && (await segmentsOf(hub, full)).length >= 2, 60_000, 250);

    // The camera goes away for 8 s (the RTSP server stops) and comes back on the same port.
    const port = server.port;
    await server.stop();
    const downAt = Date.now();
    await new Promise((r) => setTimeout(r, 8_000));
    rtsp = await startRtspServer({ mounts, clipPath: await buildPresetClip('small'), port });
    const backAt = Date.now();
    await until('recording resumed', async () => (await segmentsOf(hub, drop)).some((s) => s.startedAt > backAt), 60_000, 250);
    const recovery = (Date.now() - backAt) / 1_000;
    const gaps = await hub.hub.services.recording!.index.gapsBetween(drop, 0, Number.MAX_SAFE_INTEGER);
    const dropGap = gaps.find((g) => g.reason === 'camera_drop');
    recordFault({ fault: 'camera drops 8 s while recording', expected: 1, found: dropGap ? 1 : 0, duplicates: Math.max(0, gaps.length - 1), recoverySeconds: recovery, note: dropGap ? `gap ${((dropGap.toAt - dropGap.fromAt) / 1_000).toFixed(1)} s (${gaps.map((g) => g.reason).join(', ')})` : 'no gap' });
    expect(dropGap).toBeDefined();
    expect(dropGap!.fromAt).toBeLessThanOrEqual(downAt + 1_500);
    expect(dropGap!.toAt).toBeGreaterThanOrEqual(backAt - 500);

    // The volume fills: a free-space floor above what the disk has. Oldest go, each camera's newest stays, recording goes on.
    hub.hub.ctx.config.recording.minFreeBytes = Number.MAX_SAFE_INTEGER;
    const fullAt = Date.now();
    await until('volume trimmed to the newest', async () => (await segmentsOf(hub, full)).length <= 2 && (await segmentsOf(hub, drop)).length <= 2, 30_000, 250);
    await until('newer segments while full', async () => (await segmentsOf(hub, full)).some((s) => s.startedAt > fullAt + 1_000), 30_000, 250);
    const left = [...await segmentsOf(hub, full), ...await segmentsOf(hub, drop)];
    recordFault({ fault: 'recordings volume full (below free-space floor)', expected: 2, found: new Set(left.map((s) => s.cameraId)).size, duplicates: 0, recoverySeconds: null, note: `${left.length} newest segments kept, recording went on` });
    hub.hub.ctx.config.recording.minFreeBytes = 0;
  }, 240_000);

  // A real full disk: the recordings on a 3 MiB tmpfs of their own (needs mount rights; root in CI and here).
  const mountPoint = mkdtempSync(join(tmpdir(), 'hub-rec-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=700', 'tmpfs', mountPoint]).status === 0;
  afterAll(() => {
    if (mounted) execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it.skipIf(!mounted)('a real full disk (ENOSPC on a 3 MiB volume): the lost segment is a gap, the oldest go, recording goes on', async () => {
    const server = await startRtspServer({ mounts: ['/enospc'], clipPath: await buildPresetClip('hd') });
    const hub = await startTestHub('sqlite', { overrides: recordingOverrides({ dir: mountPoint, minFreeBytes: 0, maxBytes: 0 }), features: RECORDING_FEATURES });
    try {
      const camera = await addCamera(hub, server.urlFor('/enospc'));
      expect((await hub.api(`/api/v1/cameras/${camera}/recording`, { method: 'PUT', user: hub.users.psApprover, body: { mode: 'continuous' } })).status).toBe(200);
      const index = hub.hub.services.recording!.index;
      const firstSegments = await until('first segments', async () => { const l = await segmentsOf(hub, camera); return l.length >= 2 ? l : undefined; }, 60_000, 250);
      const full = await until('the disk filled', async () => (await index.gapsBetween(camera, 0, Number.MAX_SAFE_INTEGER)).find((g) => g.reason === 'disk_full'), 90_000, 250);
      const fullAt = Date.now();
      await until('recording after the full disk', async () => (await segmentsOf(hub, camera)).some((s) => s.startedAt >= full.toAt), 60_000, 250);
      const recovery = (Date.now() - fullAt) / 1_000;
      const left = await segmentsOf(hub, camera);
      const gaps = (await index.gapsBetween(camera, 0, Number.MAX_SAFE_INTEGER)).filter((g) => g.reason === 'disk_full');
      recordFault({
        fault: 'recordings volume full for real (ENOSPC, 3 MiB tmpfs)', expected: 1, found: left.some((s) => s.startedAt >= full.toAt) ? 1 : 0, duplicates: 0, recoverySeconds: recovery,
        note: `${gaps.length} disk_full gap(s), ${((full.toAt - full.fromAt) / 1_000).toFixed(1)} s lost at the first; oldest dropped: ${!left.some((s) => s.id === firstSegments[0]!.id)}`,
      });
      expect(left.some((s) => s.id === firstSegments[0]!.id)).toBe(false);
      expect(left.some((s) => s.startedAt >= full.toAt)).toBe(true);
    } finally {
      await hub.stop();
      await server.stop();
    }
  }, 240_000);
});
