import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HubContext } from '../hub/hub-context.ts';
import { DomainError } from '../kernel/errors/domain-error.ts';
import { PeriodicTask } from '../kernel/process/periodic-task.ts';
import type { RecordingIndex } from '../../recording/recording-index.ts';
import { captionFont } from './caption-font.ts';
import { planClip, writeClip } from './clip-export.ts';
import { buildManifest, captionLines, evidenceSubject } from './evidence-manifest.ts';
import type { EvidenceExport, EvidenceRepository } from './evidence-repository.ts';
import { fileDigest } from './file-digest.ts';
import { captionImage, passImage, recordedFrame, writeStill } from './still-export.ts';
import { passForExport } from './pass-lookup.ts';

/** Errors that another attempt cannot fix. */
const PERMANENT = new Set(['EXPORT_NOT_RECORDED', 'CAPTION_FONT_MISSING', 'CAMERA_NOT_FOUND', 'EXPORT_IMAGE_MISSING', 'EXPORT_IMAGE_INVALID', 'FFMPEG_INPUT_INVALID', 'FFMPEG_PATH_INVALID']);
const PROGRESS_WRITE_MS = 500;
/** A running job is touched this often, so other cluster nodes can tell its runner is alive. */
const RUNNER_TOUCH_MS = 5_000;
/** Silence after which a running job's node counts as dead. */
const RUNNER_SILENT_MS = 30_000;
const RECOVERY_EVERY_MS = 10_000;

/** File name of an export: camera, China-time start, kind. */
function exportFileName(job: EvidenceExport, startAt: number): string {
  const stamp = new Date(startAt + 8 * 3_600_000).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `evidence-${job.camera_id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40)}-${stamp}.${job.kind === 'clip' ? 'mp4' : 'jpg'}`;
}

/**
 * Runs export jobs one at a time from the database queue. Jobs survive a restart: at start, a job left
 * running by the previous hub is queued again (re-run from the start, up to playback.exportMaxAttempts).
 * Progress is written to the job row (at most twice a second) for the player to show.
 */
export class ExportRunner {
  /** Aborted at stop: a running export's ffmpeg is stopped at once and the job queued again. */
  private readonly stopping = new AbortController();
  private readonly task = new PeriodicTask({ run: () => this.drain(), everyMs: 1_000, onError: (error) => this.ctx.log.warn({ err: error }, 'evidence export pass failed') });

  /** Cluster only: takes back jobs of nodes that died (their runner stopped touching them). */
  private readonly recovery = new PeriodicTask({
    run: () => this.ctx.jobs.once('evidence-recovery', RECOVERY_EVERY_MS, () => this.recover(Date.now() - RUNNER_SILENT_MS)),
    everyMs: RECOVERY_EVERY_MS,
    onError: (error) => this.ctx.log.warn({ err: error }, 'evidence export recovery failed'),
  });

  constructor(private readonly ctx: HubContext, private readonly repo: EvidenceRepository, private readonly index: RecordingIndex) {}

  get exportsRoot(): string {
    return join(this.ctx.dataDir, 'exports');
  }

  /** A live snapshot taken when the export was asked for, waiting for its job (outside the job's folder, which a run clears). */
  sourceFile(id: string): string {
    return join(this.exportsRoot, `${id}.source.jpg`);
  }

  async start(): Promise<void> {
    // Alone, every running job was this hub's before it stopped; in a cluster another node may be running it,
    // so only jobs whose runner went silent are taken back, by one node at a time.
    if (this.ctx.config.cluster.enabled) this.recovery.start(0);
    else await this.recover(Number.MAX_SAFE_INTEGER);
    this.task.start();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.recovery.stop();
    await this.task.stop();
  }

  private async recover(silentSince: number): Promise<void> {
    const requeued = await this.repo.recoverInterrupted(this.ctx.config.playback.exportMaxAttempts, Date.now(), silentSince);
    if (requeued > 0) this.ctx.log.info({ requeued }, 'evidence exports interrupted by a stopped or dead hub are run again');
  }

  /** A job was queued: run now rather than at the next poll. */
  kick(): void {
    this.task.kick();
  }

  /** Runs queued jobs until none is left. */
  async drain(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const job = await this.repo.claimNext(Date.now());
      if (!job) return;
      await this.run(job);
    }
  }

  private async run(job: EvidenceExport): Promise<void> {
    const folder = join(this.exportsRoot, job.id);
    let lastWrite = 0;
    const onProgress = (fraction: number) => {
      const now = Date.now();
      if (now - lastWrite < PROGRESS_WRITE_MS) return;
      lastWrite = now;
      void this.repo.progress(job.id, Math.round(fraction * 1_000) / 1_000, now).catch(() => undefined);
    };
    const alive = setInterval(() => { void this.repo.touch(job.id, Date.now()).catch(() => undefined); }, RUNNER_TOUCH_MS);
    alive.unref();
    try {
      await rm(folder, { recursive: true, force: true });
      const subject = await evidenceSubject(this.ctx, job);
      const config = this.ctx.config.playback;
      const recordingsRoot = join(this.ctx.dataDir, 'recordings');
      const ffmpeg = { ffmpegPath: this.ctx.config.relay.ffmpegPath, timeoutMs: config.exportTimeoutSeconds * 1_000 };
      let output: string;
      let actual: Parameters<typeof buildManifest>[2];
      if (job.kind === 'clip') {
        const plan = await planClip(this.index, recordingsRoot, job);
        const caption = job.caption === 1 ? { lines: captionLines(subject, job, plan.startAt), fontFile: await captionFont(config.captionFont) } : undefined;
        output = await writeClip(plan, { ...ffmpeg, recordingsRoot, folder, fileName: exportFileName(job, plan.startAt), caption, onProgress, signal: this.stopping.signal });
        actual = { startAt: plan.startAt, endAt: plan.endAt, durationMs: plan.durationMs, reencoded: caption !== undefined, gaps: plan.gaps };
      } else {
        const source = await this.stillSource(job, recordingsRoot, ffmpeg);
        onProgress(0.5);
        const jpeg = await captionImage(source, job.caption === 1 ? captionLines(subject, job, job.from_at) : []);
        output = await writeStill(folder, exportFileName(job, job.from_at), jpeg);
        actual = { startAt: job.from_at, endAt: job.from_at, durationMs: null, reencoded: true, gaps: [] };
      }
      const digest = await fileDigest(output);
      const fileName = output.slice(folder.length + 1);
      const manifest = buildManifest(job, subject, actual, { name: fileName, bytes: digest.bytes, sha256: digest.sha256, mediaType: job.kind === 'clip' ? 'video/mp4' : 'image/jpeg' });
      await writeFile(join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
      if (job.source === 'snapshot') await rm(this.sourceFile(job.id), { force: true });
      // Done and audited together: a node dying in between must not leave a finished export without its event.
      await this.ctx.db.transaction().execute(async (trx) => {
        await this.repo.finish(job.id, { file_name: fileName, bytes: digest.bytes, duration_ms: actual.durationMs, sha256: digest.sha256, manifest: JSON.stringify(manifest) }, Date.now(), trx);
        await this.ctx.audit.appendWithin(trx, {
          action: 'evidence.export.done', userId: job.user_id, username: job.username, departmentId: job.department_id, targetType: 'camera', targetId: job.camera_id,
          reason: job.reason, details: { exportId: job.id, kind: job.kind, sha256: digest.sha256, bytes: digest.bytes },
        });
      });
    } catch (error) {
      await rm(folder, { recursive: true, force: true }).catch(() => undefined);
      if (this.stopping.signal.aborted) {
        // Not the job's fault: it runs again (from the start) when the hub is back.
        await this.repo.requeue(job.id, Date.now());
        return;
      }
      const code = error instanceof DomainError ? error.code : 'EXPORT_FAILED';
      const message = error instanceof DomainError ? error.message : 'the export failed';
      const retry = !PERMANENT.has(code) && job.attempts < this.ctx.config.playback.exportMaxAttempts;
      if (!retry && job.source === 'snapshot') await rm(this.sourceFile(job.id), { force: true }).catch(() => undefined);
      this.ctx.log.warn({ err: error, exportId: job.id, retry }, 'evidence export failed');
      await this.repo.fail(job.id, { code, message }, Date.now(), retry);
    } finally {
      clearInterval(alive);
    }
  }

  /** The picture a still is made from: the snapshot taken at request time, the pass's scene image, or the recorded frame. */
  private async stillSource(job: EvidenceExport, recordingsRoot: string, ffmpeg: { ffmpegPath: string; timeoutMs: number }): Promise<Buffer> {
    if (job.source === 'snapshot') {
      return readFile(this.sourceFile(job.id)).catch((cause: unknown) => { throw new DomainError('EXPORT_IMAGE_MISSING', 'the snapshot taken for this export is gone', { cause }); });
    }
    const pass = job.source === 'pass-image' && job.pass_id ? await passForExport(this.ctx.db, job.pass_id) : undefined;
    if (pass?.sceneImagePath) return passImage(join(this.ctx.dataDir, 'images'), pass.sceneImagePath);
    return recordedFrame(this.index, recordingsRoot, job.camera_id, job.from_at, ffmpeg);
  }
}
