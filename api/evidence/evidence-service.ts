import { randomUUID } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import { assertCameraAccess } from '../access/camera-access.ts';
import type { HubContext } from '../hub/hub-context.ts';
import type { AuthUser } from '../kernel/auth/token-service.ts';
import { badRequest, notFound } from '../kernel/errors/hub-error.ts';
import { assertPlaybackRange, assertReason } from '../playback/playback-range.ts';
import type { EvidenceExport, EvidenceRepository } from './evidence-repository.ts';
import type { EvidenceSource } from '../kernel/db/tables/index.ts';
import type { SnapshotService } from '../../ingest/snapshot/snapshot-service.ts';
import { unavailable } from '../kernel/errors/hub-error.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The scope a job's camera access rests on, by its source. */
export function scopeOf(source: EvidenceSource): 'playback' | 'events' | 'snapshot' {
  return source === 'pass-image' ? 'events' : source === 'snapshot' ? 'snapshot' : 'playback';
}
import type { CreateExportBody } from './evidence-schemas.ts';
import { passForExport } from './pass-lookup.ts';

export function exportView(job: EvidenceExport) {
  return {
    id: job.id, kind: job.kind, cameraId: job.camera_id, from: job.from_at, to: job.to_at, passId: job.pass_id, source: job.source, caption: job.caption === 1, reason: job.reason,
    state: job.state, progress: job.progress, attempts: job.attempts, errorCode: job.error_code, errorMessage: job.error_message, fileName: job.file_name,
    bytes: job.bytes, durationMs: job.duration_ms, sha256: job.sha256, username: job.username, createdAt: job.created_at, finishedAt: job.finished_at,
  };
}

/**
 * Evidence export requests: what to export (camera + range, or a checkpoint pass → its camera ± padding),
 * checked against the same camera access as playback (scope `playback` and its lookback; a pass image
 * needs `events`), audited with the reason, queued for the ExportRunner.
 */
export class EvidenceService {
  /** `onQueued` starts the runner at once instead of at its next poll. */
  constructor(
    private readonly ctx: HubContext,
    private readonly repo: EvidenceRepository,
    private readonly onQueued: () => void = () => undefined,
    /** Live stills (the ingest feature); without it snapshot exports answer 503. */
    private readonly snapshots?: Pick<SnapshotService, 'take'>,
    /** Where a snapshot taken at request time waits for its job: `<exports>/<id>.source.jpg`. */
    private readonly sourceFile: (id: string) => string = () => '',
  ) {}

  async create(user: AuthUser, body: Static<typeof CreateExportBody>, clientIp: string, now = Date.now()): Promise<EvidenceExport> {
    const reason = assertReason(body.reason);
    const asked = body.kind ?? 'clip';
    const kind = asked === 'clip' ? 'clip' : 'still';
    let source: EvidenceSource = 'recording';
    const config = this.ctx.config.playback;
    let cameraId = body.cameraId;
    let from = body.from;
    let to = body.to;
    if (asked === 'snapshot') {
      if (body.passId !== undefined || cameraId === undefined) throw badRequest('EXPORT_TARGET_REQUIRED', 'a snapshot export needs cameraId (and no passId)');
      source = 'snapshot';
      from = now;
      to = now + 1;
    } else if (body.passId !== undefined) {
      if (cameraId !== undefined || from !== undefined || to !== undefined) throw badRequest('EXPORT_TARGET_INVALID', 'give either passId, or cameraId with from and to');
      const pass = await passForExport(this.ctx.db, body.passId);
      if (!pass) throw notFound('PASS_NOT_FOUND', `pass ${body.passId} does not exist`);
      cameraId = pass.cameraId;
      const padding = config.exportPassPaddingSeconds * 1_000;
      [from, to] = kind === 'clip' ? [pass.passedAt - padding, pass.passedAt + padding] : [pass.passedAt, pass.passedAt + 1];
      // The pass's own image is an event record; a frame from the recording needs playback.
      if (kind === 'still' && pass.sceneImagePath) source = 'pass-image';
    } else {
      if (cameraId === undefined || from === undefined) throw badRequest('EXPORT_TARGET_REQUIRED', 'give cameraId and from (and to for a clip), or a passId');
      if (kind === 'still') to = from + 1;
      else if (to === undefined) throw badRequest('EXPORT_TARGET_REQUIRED', 'a clip needs from and to');
    }
    const decision = await assertCameraAccess(this.ctx, user, cameraId!, scopeOf(source), now);
    const range = { from: from!, to: kind === 'clip' && body.passId !== undefined ? Math.min(to!, now) : to! };
    if (source === 'recording') assertPlaybackRange(range, config.exportMaxMinutes * 60_000, decision, now);
    const id = randomUUID();
    if (source === 'snapshot') {
      // The moment matters: the still is taken now, the job only captions and seals it.
      if (!this.snapshots) throw unavailable('SNAPSHOT_UNAVAILABLE', 'live snapshots are not available on this hub');
      const { jpeg } = await this.snapshots.take(cameraId!, 1_920, user.id);
      await mkdir(dirname(this.sourceFile(id)), { recursive: true, mode: 0o700 });
      await writeFile(this.sourceFile(id), jpeg, { mode: 0o600 });
    }
    const job: EvidenceExport = {
      id, kind, camera_id: cameraId!, from_at: range.from, to_at: range.to, pass_id: body.passId ?? null, source, caption: body.caption ? 1 : 0, reason,
      state: 'queued', progress: 0, attempts: 0, error_code: null, error_message: null, file_name: null, bytes: null, duration_ms: null, sha256: null, manifest: null,
      user_id: user.id, username: user.username, department_id: user.departmentId, created_at: now, updated_at: now, finished_at: null,
    };
    await this.repo.insert(job);
    await this.ctx.audit.append({
      action: 'evidence.export', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: cameraId!, clientIp, reason,
      details: { exportId: job.id, kind, source, from: job.from_at, to: job.to_at, passId: job.pass_id, caption: job.caption === 1, grantId: decision.grantId ?? null },
    });
    this.onQueued();
    return job;
  }

  /** A job its creator (or an admin) may see; 404 for anyone else. */
  async visible(user: AuthUser, id: string): Promise<EvidenceExport> {
    const job = await this.repo.find(id);
    if (!job || (job.user_id !== user.id && user.role !== 'admin')) throw notFound('EXPORT_NOT_FOUND', `export ${id} does not exist`);
    return job;
  }

  list(user: AuthUser): Promise<EvidenceExport[]> {
    return this.repo.list({ userId: user.role === 'admin' ? undefined : user.id, limit: 200 });
  }
}
