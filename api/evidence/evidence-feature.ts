import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HubContext } from '../hub/hub-context.ts';
import type { ProvidingFeature } from '../kernel/hub-feature.ts';
import { RecordingIndex } from '../../recording/recording-index.ts';
import { EvidenceRepository } from './evidence-repository.ts';
import { registerEvidenceRoutes } from './evidence-routes.ts';
import { EvidenceService } from './evidence-service.ts';
import { ExportRunner } from './export-runner.ts';
import type { SnapshotService } from '../../ingest/snapshot/snapshot-service.ts';

export interface EvidenceDependencies {
  /** Live stills for snapshot exports (the ingest feature); optional: without it they answer 503. */
  snapshots: Pick<SnapshotService, 'take'> | undefined;
}

export interface EvidenceServices {
  service: EvidenceService;
  runner: ExportRunner;
}

/**
 * Evidence export (证据导出): clips from the recording index cut at key frames without re-encoding (or
 * captioned), stills from the recording or a pass image with a caption, each with a manifest and SHA-256.
 * Jobs live in `evidence_exports` and resume after a restart. Files under <dataDir>/exports/<id>/.
 */
export function createEvidenceFeature(ctx: HubContext, { snapshots }: EvidenceDependencies): ProvidingFeature<EvidenceServices> {
  const repo = new EvidenceRepository(ctx.db);
  const runner = new ExportRunner(ctx, repo, new RecordingIndex(ctx.db));
  const service = new EvidenceService(ctx, repo, () => runner.kick(), snapshots, (id) => runner.sourceFile(id));
  return {
    name: 'evidence',
    provides: { service, runner },
    registerRoutes: (app) => registerEvidenceRoutes(app, ctx, service, join(ctx.dataDir, 'exports')),
    start: () => runner.start(),
    stop: () => runner.stop(),
    // Exports past playback.exportRetentionDays: files first, then rows (a crash in between leaves a row whose download says the file is gone).
    prune: async (now) => {
      const ids = await repo.endedBefore(now - ctx.config.playback.exportRetentionDays * 86_400_000, 1_000);
      for (const id of ids) {
        await rm(join(runner.exportsRoot, id), { recursive: true, force: true });
        await rm(runner.sourceFile(id), { force: true });
      }
      return { evidenceExports: await repo.delete(ids) };
    },
  };
}
