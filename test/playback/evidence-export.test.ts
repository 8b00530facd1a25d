import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceRepository } from '../../api/evidence/evidence-repository.ts';
import { ExportRunner } from '../../api/evidence/export-runner.ts';
import { grantToTraffic, until } from '../relay/relay-fixtures.ts';
import { startRecordingHub, waitForExport, type RecordingHub } from './playback-fixtures.ts';

const NATIONAL_ID = '44030000001320000001';

function ffprobe(file: Buffer): { durationS: number; codec: string; width: number } {
  const path = join(tmpdir(), `evidence-probe-${process.pid}-${Date.now()}.mp4`);
  writeFileSync(path, file);
  let out: Buffer;
  try {
    out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,width', '-of', 'json', path]);
  } finally {
    rmSync(path, { force: true });
  }
  const parsed = JSON.parse(out.toString()) as { format: { duration: string }; streams: Array<{ codec_name: string; width?: number }> };
  const video = parsed.streams.find((s) => s.width !== undefined)!;
  return { durationS: Number(parsed.format.duration), codec: video.codec_name, width: video.width! };
}

describe('evidence export (证据导出)', () => {
  let h: RecordingHub;
  let range: { from: number; to: number };

  beforeAll(async () => {
    h = await startRecordingHub('sqlite');
    await h.t.hub.ctx.cameras.update(h.cameraId, { national_id: NATIONAL_ID });
    const segments = await h.segments(4);
    range = { from: segments[0]!.startedAt + 700, to: segments[3]!.endedAt - 300 };
  }, 120_000);
  afterAll(async () => h?.stop());

  const download = async (id: string) => {
    const response = await fetch(`${h.t.url}/api/v1/evidence/exports/${id}/file`, { headers: { authorization: `Bearer ${h.t.users.psViewer.token}` } });
    expect(response.status).toBe(200);
    return Buffer.from(await response.arrayBuffer());
  };

  it('exports a clip without re-encoding: SHA-256 matches its manifest, ffprobe reads the planned duration, cut at a key frame', async () => {
    const { t, cameraId } = h;
    const created = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { cameraId, ...range, reason: '案件 2026-118 证据' } });
    expect(created.status).toBe(202);
    const job = await waitForExport(t, t.users.psViewer, created.body.id);
    expect(job.state).toBe('done');
    expect(job.progress).toBe(1);
    const file = await download(job.id);
    const manifest = (await t.api(`/api/v1/evidence/exports/${job.id}/manifest`, { user: t.users.psViewer })).body;
    expect(createHash('sha256').update(file).digest('hex')).toBe(manifest.file.sha256);
    expect(manifest.file.bytes).toBe(file.length);
    expect(manifest.camera).toMatchObject({ id: cameraId, name: '卡口 东门 rec1', nationalId: NATIONAL_ID, owner: { departmentId: t.departments.ps } });
    expect(manifest.operator.username).toBe('psViewer');
    expect(manifest.reason).toBe('案件 2026-118 证据');
    expect(manifest.requested.from).toMatch(/\+08:00$/);
    expect(manifest.reencoded).toBe(false);
    // Cut on the key frame at or before the asked start (the recording has one each second).
    expect(manifest.actual.fromMs).toBeLessThanOrEqual(range.from);
    expect(range.from - manifest.actual.fromMs).toBeLessThan(1_100);
    const probe = ffprobe(file);
    expect(probe.codec).toBe('h264');
    expect(Math.abs(probe.durationS * 1_000 - manifest.actual.durationMs)).toBeLessThan(400);
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'reason']).where('action', 'like', 'evidence.%').execute();
    expect(audit).toEqual(expect.arrayContaining([{ action: 'evidence.export', reason: '案件 2026-118 证据' }, { action: 'evidence.download', reason: '案件 2026-118 证据' }]));
  });

  it('burns a Chinese caption in (re-encoded) and captions a still', async () => {
    const { t, cameraId } = h;
    const clip = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { cameraId, from: range.from, to: range.from + 3_000, caption: true, reason: 'captioned copy' } });
    const still = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { kind: 'still', cameraId, from: range.from + 1_000, caption: true, reason: 'captioned still' } });
    const [clipJob, stillJob] = [await waitForExport(t, t.users.psViewer, clip.body.id), await waitForExport(t, t.users.psViewer, still.body.id)];
    expect([clipJob.state, clipJob.errorCode]).toEqual(['done', null]);
    expect([stillJob.state, stillJob.errorCode]).toEqual(['done', null]);
    const clipFile = await download(clipJob.id);
    expect(createHash('sha256').update(clipFile).digest('hex')).toBe(clipJob.sha256);
    expect(ffprobe(clipFile).codec).toBe('h264');
    const stillFile = await download(stillJob.id);
    expect(stillFile.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(createHash('sha256').update(stillFile).digest('hex')).toBe(stillJob.sha256);
    const manifest = (await t.api(`/api/v1/evidence/exports/${clipJob.id}/manifest`, { user: t.users.psViewer })).body;
    expect(manifest).toMatchObject({ caption: true, reencoded: true });
  });

  it('exports a pass image with a caption (scope events) and picks the pass camera ± 30 s for a clip', async () => {
    const { t, cameraId } = h;
    const passedAt = range.from + 2_000;
    const ingest = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [{ id: 'ev-pass-1', cameraId, passedAt, plate: '京EV0001', plateColour: 'blue', plateConfidence: 0.97, charConfidences: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9] }] } });
    expect(ingest.status).toBe(200);
    const scene = join(t.hub.ctx.dataDir, 'images', 'ev-scene.jpg');
    mkdirSync(dirname(scene), { recursive: true });
    writeFileSync(scene, await sharp({ create: { width: 320, height: 180, channels: 3, background: '#336699' } }).jpeg().toBuffer());
    await t.hub.ctx.db.updateTable('checkpoint_passes').set({ scene_image_path: 'ev-scene.jpg' }).where('id', '=', 'ev-pass-1').execute();
    const still = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { kind: 'still', passId: 'ev-pass-1', caption: true, reason: 'pass evidence' } });
    const clip = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { passId: 'ev-pass-1', reason: 'pass evidence' } });
    expect([still.status, clip.status]).toEqual([202, 202]);
    expect(clip.body).toMatchObject({ cameraId, from: passedAt - 30_000, passId: 'ev-pass-1' });
    const stillJob = await waitForExport(t, t.users.psViewer, still.body.id);
    expect([stillJob.state, stillJob.errorCode]).toEqual(['done', null]);
    const image = await download(stillJob.id);
    const meta = await sharp(image).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 320, 180]);
    // The caption band darkens the top of the plain blue picture; the bottom stays as it was.
    const { data } = await sharp(image).greyscale().raw().toBuffer({ resolveWithObject: true });
    const mean = (from: number, to: number) => data.subarray(from * 320, to * 320).reduce((a, b) => a + b, 0) / ((to - from) * 320);
    expect(mean(150, 180) - mean(0, 20)).toBeGreaterThan(10);
    expect((await waitForExport(t, t.users.psViewer, clip.body.id)).state).toBe('done');
  });

  it('exports a live snapshot with a caption (scope snapshot), taken when asked for', async () => {
    const { t, cameraId } = h;
    const asked = Date.now();
    const created = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { kind: 'snapshot', cameraId, caption: true, reason: 'scene now' } });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ kind: 'still', source: 'snapshot' });
    expect(created.body.from).toBeGreaterThanOrEqual(asked);
    const job = await waitForExport(t, t.users.psViewer, created.body.id);
    expect([job.state, job.errorCode]).toEqual(['done', null]);
    const image = await download(job.id);
    expect((await sharp(image).metadata()).format).toBe('jpeg');
    expect(createHash('sha256').update(image).digest('hex')).toBe(job.sha256);
    expect((await t.api(`/api/v1/evidence/exports/${job.id}/manifest`, { user: t.users.psViewer })).body).toMatchObject({ source: 'snapshot', caption: true });
    expect(existsSync(join(t.hub.ctx.dataDir, 'exports', `${job.id}.source.jpg`))).toBe(false);
    const denied = await t.api('/api/v1/evidence/exports', { user: t.users.communityApprover, body: { kind: 'snapshot', cameraId, reason: 'scene now' } });
    expect([denied.status, denied.body.code]).toEqual([403, 'CAMERA_ACCESS_DENIED']);
  });

  it('refuses exports of cameras the user may not see and bad ranges, with stable codes', async () => {
    const { t, cameraId } = h;
    const ask = (user: typeof t.users.psViewer, body: Record<string, unknown>) => t.api('/api/v1/evidence/exports', { user, body: { reason: 'looking around', ...body } });
    const denied = await ask(t.users.trafficViewer, { cameraId, ...range });
    expect([denied.status, denied.body.code]).toEqual([403, 'CAMERA_ACCESS_DENIED']);
    await grantToTraffic(t, [cameraId], ['live', 'events']);
    expect((await ask(t.users.trafficViewer, { cameraId, ...range })).body.code).toBe('CAMERA_ACCESS_DENIED');
    expect((await ask(t.users.trafficViewer, { cameraId: 'no-such-camera', ...range })).status).toBe(404);
    expect((await ask(t.users.psViewer, { cameraId, from: range.from, to: range.from })).body.code).toBe('RANGE_EMPTY');
    expect((await ask(t.users.psViewer, { cameraId, from: range.from, to: range.from + 2 * 3_600_000 })).body.code).toBe('RANGE_TOO_LONG');
    expect((await ask(t.users.psViewer, { cameraId })).body.code).toBe('EXPORT_TARGET_REQUIRED');
    expect((await ask(t.users.psViewer, { passId: 'nope' })).body.code).toBe('PASS_NOT_FOUND');
    expect((await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { cameraId, ...range, reason: ' ' } })).body.code).toBe('REASON_REQUIRED');
    // Nothing recorded there: the job fails with a clear code instead of an empty file.
    const empty = await ask(t.users.psViewer, { cameraId, from: range.from - 1_800_000, to: range.from - 1_700_000 });
    expect((await waitForExport(t, t.users.psViewer, empty.body.id)).errorCode).toBe('EXPORT_NOT_RECORDED');
    // Someone else's export is not even visible.
    expect((await t.api(`/api/v1/evidence/exports/${empty.body.id}`, { user: t.users.trafficViewer })).status).toBe(404);
  });

  it('a job left running by a hub that died is run again at the next start', async () => {
    const { t, cameraId } = h;
    const created = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { cameraId, ...range, reason: 'restart check' } });
    await waitForExport(t, t.users.psViewer, created.body.id);
    // As if the hub died mid-export: the row says running, the files are half there.
    await t.hub.ctx.db.updateTable('evidence_exports').set({ state: 'running', progress: 0.4, sha256: null, attempts: 1 }).where('id', '=', created.body.id).execute();
    const restarted = new ExportRunner(t.hub.ctx, new EvidenceRepository(t.hub.ctx.db), h.index);
    await restarted.start();
    try {
      const job = await waitForExport(t, t.users.psViewer, created.body.id);
      expect([job.state, job.attempts]).toEqual(['done', 2]);
      expect(createHash('sha256').update(await download(job.id)).digest('hex')).toBe(job.sha256);
    } finally {
      await restarted.stop();
    }
  });

  it('retention deletes exports past playback.exportRetentionDays, files and rows, and keeps younger ones', async () => {
    const { t } = h;
    const jobs = (await t.api('/api/v1/evidence/exports', { user: t.users.psViewer })).body as Array<{ id: string; state: string }>;
    const done = jobs.filter((j) => j.state === 'done');
    expect(done.length).toBeGreaterThanOrEqual(2);
    const [old, young] = [done[0]!, done[1]!];
    const days = t.hub.ctx.config.playback.exportRetentionDays;
    await t.hub.ctx.db.updateTable('evidence_exports').set({ created_at: Date.now() - (days + 1) * 86_400_000 }).where('id', '=', old.id).execute();
    const report = await t.hub.retention.runOnce(Date.now());
    expect(report.evidenceExports).toBe(1);
    expect(existsSync(join(t.hub.ctx.dataDir, 'exports', old.id))).toBe(false);
    expect(existsSync(join(t.hub.ctx.dataDir, 'exports', young.id))).toBe(true);
    expect((await t.api(`/api/v1/evidence/exports/${old.id}`, { user: t.users.psViewer })).status).toBe(404);
  });

  // Last: it stops the hub's own runner.
  it('a hub stopping mid-export stops ffmpeg at once and queues the job again; the next start finishes it', async () => {
    const { t, cameraId } = h;
    await t.hub.services.evidence!.runner.stop();
    const created = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { cameraId, ...range, reason: 'stop check' } });
    expect(created.status).toBe(202);
    // An ffmpeg that takes its time, so the stop surely comes while it runs.
    const slow = join(t.hub.ctx.dataDir, 'slow-ffmpeg.sh');
    writeFileSync(slow, '#!/bin/sh\nsleep 60\nexec ffmpeg "$@"\n', { mode: 0o755 });
    const slowCtx = { ...t.hub.ctx, config: { ...t.hub.ctx.config, relay: { ...t.hub.ctx.config.relay, ffmpegPath: slow } } };
    const first = new ExportRunner(slowCtx, new EvidenceRepository(t.hub.ctx.db), h.index);
    await first.start();
    await until('job running', async () => (await t.api(`/api/v1/evidence/exports/${created.body.id}`, { user: t.users.psViewer })).body.state === 'running', 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const stopping = Date.now();
    await first.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    const interrupted = (await t.api(`/api/v1/evidence/exports/${created.body.id}`, { user: t.users.psViewer })).body;
    expect([interrupted.state, interrupted.attempts]).toEqual(['queued', 0]);
    const second = new ExportRunner(t.hub.ctx, new EvidenceRepository(t.hub.ctx.db), h.index);
    await second.start();
    try {
      const job = await waitForExport(t, t.users.psViewer, created.body.id);
      expect([job.state, job.attempts]).toEqual(['done', 1]);
    } finally {
      await second.stop();
    }
  });
});
