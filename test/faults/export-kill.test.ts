import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPresetClip } from '../../devtools/sim/clip-presets.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { until } from '../relay/relay-fixtures.ts';
import { recordFault } from './fault-table.ts';
import { descendantsOf, HubProcess, hubEnv, isAlive, waitGone } from './hub-process.ts';

interface ExportRow { id: string; state: string; attempts: number }

function exportRows(dataDir: string): ExportRow[] {
  const db = new SQLite(join(dataDir, 'hub.sqlite'), { readonly: true });
  try {
    return db.prepare('select id, state, attempts from evidence_exports order by created_at').all() as ExportRow[];
  } finally {
    db.close();
  }
}

function exportProgress(dataDir: string): Array<ExportRow & { progress: number; error_code: string | null }> {
  const db = new SQLite(join(dataDir, 'hub.sqlite'), { readonly: true });
  try {
    return db.prepare('select id, state, attempts, progress, error_code from evidence_exports order by created_at').all() as Array<ExportRow & { progress: number; error_code: string | null }>;
  } finally {
    db.close();
  }
}

function probeDurationMs(file: Buffer): number {
  const path = join(tmpdir(), `export-kill-probe-${process.pid}-${Date.now()}.mp4`);
  writeFileSync(path, file);
  try {
    return Math.round(Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim()) * 1_000);
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Evidence export under a crash: the hub (CLI, SQLite, a child process) is killed with SIGKILL while an
 * export job's ffmpeg runs. Started again on the same data, it queues the interrupted job again and runs it
 * to the end: every job finishes once, with a clip whose SHA-256 is the one in its manifest.
 */
describe('evidence export faults', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-faults-export-'));
  const started: HubProcess[] = [];
  const strays: Array<{ pid: number; command: string }> = [];
  let rtsp: RtspServerHandle | undefined;
  afterAll(async () => {
    for (const hub of started) await hub.kill();
    for (const stray of strays) if (isAlive(stray.pid)) process.kill(stray.pid, 'SIGKILL');
    await rtsp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kill -9 of the hub during an export: the job runs again after restart and its clip matches its manifest', async () => {
    // The 1080p clip: a captioned (re-encoded) export of it runs for seconds, long enough to be killed midway.
    rtsp = await startRtspServer({ mounts: ['/exportkill'], clipPath: await buildPresetClip('hd') });
    const env = await hubEnv(dataDir, { HUB_RECORDING_SEGMENT_SECONDS: '2', HUB_RECORDING_MIN_FREE_BYTES: '0', HUB_INGEST_HEALTH_INTERVAL_MS: '3600000' });
    let hub = await HubProcess.start(env);
    started.push(hub);
    let token = await hub.login();
    const dept = await hub.api(token, '/api/v1/departments', { name: 'Public Security', kind: 'public_security', isGovernment: true });
    const camera = await hub.api(token, '/api/v1/cameras', { name: 'export gate', departmentId: dept.body.id, category: 'public_security', streamUrl: rtsp.urlFor('/exportkill') });
    expect(camera.status).toBe(201);
    const cameraId = camera.body.id as string;
    const put = await fetch(`${hub.url}/api/v1/cameras/${cameraId}/recording`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'continuous' }) });
    expect(put.status).toBe(200);

    // About 16 s recorded, then three captioned clips (re-encoded, so each runs long enough to be cut short).
    const recordedFrom = Date.now();
    await until('16 s recorded', async () => {
      const timeline = await hub.api(token, `/api/v1/playback/cameras/${cameraId}/timeline?from=${recordedFrom - 60_000}&to=${Date.now()}`);
      const span = timeline.body.spans?.[0];
      return span && span.to - span.from >= 16_000 ? span : undefined;
    }, 120_000, 500);
    const span = (await hub.api(token, `/api/v1/playback/cameras/${cameraId}/timeline?from=${recordedFrom - 60_000}&to=${Date.now()}`)).body.spans[0] as { from: number; to: number };
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await hub.api(token, '/api/v1/evidence/exports', { cameraId, from: span.from + 500, to: span.to - 500, caption: true, reason: `案件 kill-${i}` });
      expect(created.status).toBe(202);
      ids.push(created.body.id as string);
    }

    // Kill while one of them has its ffmpeg running and has reported progress. Read from the hub's database
    // file every 50 ms: three HTTP polls per round were too slow on a loaded machine to catch a running clip.
    const running = await until('an export running with progress', async () => {
      const rows = exportProgress(dataDir);
      // Not near its end, so the kill lands before it can finish.
      const found = rows.find((r) => r.state === 'running' && r.progress > 0 && r.progress < 0.6);
      if (found) return found;
      if (rows.length === ids.length && rows.every((r) => r.state === 'done' || r.state === 'failed')) {
        throw new Error(`every export ended before one was seen running: ${JSON.stringify(rows)}`);
      }
      return undefined;
    }, 120_000, 50);
    const children = descendantsOf(hub.pid);
    strays.push(...children);
    hub.child.kill('SIGKILL');
    await hub.exited;
    const survivors = children.filter((c) => isAlive(c.pid)).map((c) => c.command);
    for (const child of children) if (isAlive(child.pid)) process.kill(child.pid, 'SIGKILL');
    await waitGone(children, 5_000);
    const atKill = exportRows(dataDir);
    expect(atKill.find((r) => r.id === running.id)?.state).toBe('running');
    const finishedBefore = atKill.filter((r) => r.state === 'done').length;

    const restartedAt = Date.now();
    hub = await HubProcess.start(env);
    started.push(hub);
    token = await hub.login();
    const jobs = await until('every export finished after the restart', async () => {
      const all = await Promise.all(ids.map(async (id) => (await hub.api(token, `/api/v1/evidence/exports/${id}`)).body));
      return all.every((job) => job.state === 'done' || job.state === 'failed') ? all : undefined;
    }, 180_000, 250);
    const recoverySeconds = (Date.now() - restartedAt) / 1_000;

    let matching = 0;
    for (const job of jobs) {
      expect([job.id, job.state, job.errorCode]).toEqual([job.id, 'done', null]);
      const response = await fetch(`${hub.url}/api/v1/evidence/exports/${job.id}/file`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const file = Buffer.from(await response.arrayBuffer());
      const manifest = (await hub.api(token, `/api/v1/evidence/exports/${job.id}/manifest`)).body;
      const sha256 = createHash('sha256').update(file).digest('hex');
      expect(sha256).toBe(manifest.file.sha256);
      expect(sha256).toBe(job.sha256);
      expect(manifest.reencoded).toBe(true);
      expect(Math.abs(probeDurationMs(file) - manifest.actual.durationMs)).toBeLessThan(600);
      if (sha256 === manifest.file.sha256) matching++;
    }
    const rerun = jobs.find((j) => j.id === running.id)!;
    // The interrupted job ran a second time (its first attempt was cut by the kill).
    expect(rerun.attempts).toBe(2);
    const rows = exportRows(dataDir);
    recordFault({
      fault: 'kill -9 hub during an evidence export (SQLite)', expected: ids.length, found: matching, duplicates: rows.length - new Set(rows.map((r) => r.id)).size, recoverySeconds,
      note: `killed at ${Math.round(running.progress * 100)} % of a captioned clip (${finishedBefore} done before); re-run as attempt ${rerun.attempts}, SHA-256 = manifest for all; ${survivors.length} child process(es) outlived the hub: ${survivors.join(', ') || 'none'}`,
    });
    hub.child.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);
  }, 420_000);
});
