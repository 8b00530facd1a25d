import type { HubContext } from '../hub/hub-context.ts';
import { notFound } from '../kernel/errors/hub-error.ts';
import { formatChinaTime, isoChinaTime } from '../playback/china-time.ts';
import type { EvidenceExport } from './evidence-repository.ts';

/** Who and what an export is about, looked up once per job. */
export interface EvidenceSubject {
  cameraId: string;
  cameraName: string;
  nationalId: string | null;
  ownerDepartmentId: string;
  ownerDepartmentName: string;
  operatorDepartmentName: string;
}

export async function evidenceSubject(ctx: Pick<HubContext, 'cameras' | 'db'>, job: Pick<EvidenceExport, 'camera_id' | 'department_id'>): Promise<EvidenceSubject> {
  const camera = await ctx.cameras.find(job.camera_id);
  if (!camera) throw notFound('CAMERA_NOT_FOUND', `camera ${job.camera_id} does not exist any more`);
  const names = new Map((await ctx.db.selectFrom('departments').select(['id', 'name']).where('id', 'in', [camera.department_id, job.department_id]).execute()).map((d) => [d.id, d.name]));
  return {
    cameraId: camera.id, cameraName: camera.name, nationalId: camera.national_id, ownerDepartmentId: camera.department_id,
    ownerDepartmentName: names.get(camera.department_id) ?? '', operatorDepartmentName: names.get(job.department_id) ?? '',
  };
}

/** The caption burned into a clip or drawn on a still: camera, national id, China time, operator. */
export function captionLines(subject: EvidenceSubject, job: Pick<EvidenceExport, 'from_at' | 'to_at' | 'username' | 'kind'>, startAt: number): string[] {
  const time = job.kind === 'still' ? formatChinaTime(startAt) : `${formatChinaTime(startAt)} – ${formatChinaTime(job.to_at)}`;
  return [
    `摄像机 Camera: ${subject.cameraName}${subject.nationalId ? ` (${subject.nationalId})` : ''}`,
    `时间 Time (UTC+8): ${time}`,
    `导出人 Operator: ${job.username} · ${subject.operatorDepartmentName}`,
  ];
}

export interface ManifestFile {
  name: string;
  bytes: number;
  sha256: string;
  mediaType: string;
}

/**
 * The evidence manifest (证据清单) kept with the file and in the database: camera with national id and owner,
 * the asked and the actual time range in China time, operator, reason, and the file's SHA-256.
 */
export function buildManifest(job: EvidenceExport, subject: EvidenceSubject, actual: { startAt: number; endAt: number; durationMs: number | null; reencoded: boolean; gaps: Array<{ from: number; to: number }> }, file: ManifestFile) {
  return {
    manifestVersion: 1,
    exportId: job.id,
    kind: job.kind,
    camera: { id: subject.cameraId, name: subject.cameraName, nationalId: subject.nationalId, owner: { departmentId: subject.ownerDepartmentId, name: subject.ownerDepartmentName } },
    timeZone: 'Asia/Shanghai (UTC+8)',
    requested: { from: isoChinaTime(job.from_at), to: isoChinaTime(job.to_at), fromMs: job.from_at, toMs: job.to_at },
    actual: { from: isoChinaTime(actual.startAt), to: isoChinaTime(actual.endAt), fromMs: actual.startAt, toMs: actual.endAt, durationMs: actual.durationMs, cutAtKeyFrame: !actual.reencoded },
    gaps: actual.gaps.map((g) => ({ from: isoChinaTime(g.from), to: isoChinaTime(g.to) })),
    source: job.source,
    passId: job.pass_id,
    caption: job.caption === 1,
    reencoded: actual.reencoded,
    operator: { userId: job.user_id, username: job.username, departmentId: job.department_id, departmentName: subject.operatorDepartmentName },
    reason: job.reason,
    requestedAt: isoChinaTime(job.created_at),
    file: { ...file, algorithm: 'SHA-256' },
  };
}
