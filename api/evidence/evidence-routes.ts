import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { assertCameraAccess } from '../access/camera-access.ts';
import type { HubContext } from '../hub/hub-context.ts';
import { conflict, notFound } from '../kernel/errors/hub-error.ts';
import { responses } from '../kernel/http/common-schemas.ts';
import { requireUser } from '../kernel/http/route-access.ts';
import { CreateExportBody, ExportView } from './evidence-schemas.ts';
import { exportView, scopeOf, type EvidenceService } from './evidence-service.ts';
import type { EvidenceExport } from './evidence-repository.ts';

const ExportParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });

/** Evidence export (证据导出): create a job, follow its progress, download the file and its manifest. */
export function registerEvidenceRoutes(app: FastifyInstance, ctx: HubContext, service: EvidenceService, exportsRoot: string): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['evidence'];

  const finished = (job: EvidenceExport) => {
    if (job.state !== 'done' || !job.file_name) throw conflict('EXPORT_NOT_READY', `this export is ${job.state}${job.state === 'failed' ? `: ${job.error_message ?? ''}` : ''}`);
    return job;
  };

  r.post('/evidence/exports', {
    config: { access: 'user' },
    schema: { tags, summary: 'Export a clip (MP4, no re-encoding unless captioned) or a still with a manifest; runs as a job', body: CreateExportBody, response: responses({ 202: ExportView }) },
  }, async (request, reply) => {
    const job = await service.create(requireUser(request), request.body, request.ip);
    reply.status(202);
    return exportView(job);
  });

  r.get('/evidence/exports', {
    config: { access: 'user' },
    schema: { tags, summary: 'Your exports (admin: all), newest first', response: responses({ 200: Type.Array(ExportView) }) },
  }, async (request) => (await service.list(requireUser(request))).map(exportView));

  r.get('/evidence/exports/:id', {
    config: { access: 'user' },
    schema: { tags, summary: 'One export: state and progress', params: ExportParams, response: responses({ 200: ExportView }) },
  }, async (request) => exportView(await service.visible(requireUser(request), request.params.id)));

  r.get('/evidence/exports/:id/manifest', {
    config: { access: 'user' },
    schema: { tags, summary: 'The manifest of a finished export (camera, national id, owner, China-time range, operator, reason, SHA-256)', params: ExportParams, response: responses({ 200: Type.Object({}, { additionalProperties: true }) }) },
  }, async (request) => JSON.parse(finished(await service.visible(requireUser(request), request.params.id)).manifest!) as Record<string, unknown>);

  r.get('/evidence/exports/:id/file', {
    config: { access: 'user', rawResponse: true },
    schema: { tags, summary: 'Download the exported file (audited; camera access is checked again)', params: ExportParams },
  }, async (request, reply) => {
    const user = requireUser(request);
    const job = finished(await service.visible(user, request.params.id));
    await assertCameraAccess(ctx, user, job.camera_id, scopeOf(job.source));
    const path = join(exportsRoot, job.id, job.file_name!);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isFile()) throw notFound('EXPORT_FILE_MISSING', 'the exported file is no longer on disk; export again');
    await ctx.audit.append({
      action: 'evidence.download', userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: job.camera_id,
      clientIp: request.ip, reason: job.reason, details: { exportId: job.id, sha256: job.sha256 },
    });
    reply.header('content-length', info.size).header('content-disposition', `attachment; filename="${job.file_name}"`).header('cache-control', 'private, no-store')
      .type(job.kind === 'clip' ? 'video/mp4' : 'image/jpeg');
    return reply.send(createReadStream(path));
  });
}
