import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HubContext } from '../api/hub/hub-context.ts';
import { ensurePrivateDir } from '../api/kernel/fs/private-files.ts';
import type { ProvidingFeature } from '../api/kernel/hub-feature.ts';
import { responses } from '../api/kernel/http/common-schemas.ts';
import { requireUser } from '../api/kernel/http/route-access.ts';
import { PeriodicTask } from '../api/kernel/process/periodic-task.ts';
import type { RelayPool } from '../relay/relay-pool.ts';
import { Recorder } from './recorder.ts';
import { recordingsRoot } from './recording-config.ts';
import { RecordingIndex } from './recording-index.ts';
import { RecordingPlans } from './recording-plans.ts';
import { recordingMetrics, recordingReport, type RecordingReport } from './recording-report.ts';
import { registerRecordingRoutes } from './recording-routes.ts';
import { reindexRecordings } from './recording-reindex.ts';
import { RecordingStorage } from './recording-storage.ts';

export interface RecordingDependencies {
  /** Recording is a copy of the relay's single pull. */
  relay: RelayPool;
}

export interface RecordingService {
  index: RecordingIndex;
  plans: RecordingPlans;
  recorder: Recorder;
  storage: RecordingStorage;
  /** `<dataDir>/recordings`. */
  root: string;
  report(): Promise<RecordingReport>;
}

const REPORT_TTL_MS = 5_000;

const Nullable = (t: ReturnType<typeof Type.Integer>) => Type.Union([t, Type.Null()]);
const ReportView = Type.Object({
  at: Type.Integer(),
  volume: Type.Object({ recordedBytes: Type.Integer(), volumeBytes: Type.Integer(), freeBytes: Type.Integer(), maxBytes: Type.Integer(), minFreeBytes: Type.Integer() }),
  cameras: Type.Array(Type.Object({
    cameraId: Type.String(), bytes: Type.Integer(), segments: Type.Integer(), oldestAt: Nullable(Type.Integer()), newestAt: Nullable(Type.Integer()),
    daysKept: Type.Number(), gaps: Type.Integer(),
  })),
});

/**
 * Recording (issue 16, part A): plans per camera, the recorder on the relay's pull, the segment index and
 * the storage that keeps the volume within bounds. At start it re-indexes what is on disk (repairing
 * segments cut by a crash) and checks indexed files before recording resumes.
 */
export function createRecordingFeature(ctx: HubContext, { relay }: RecordingDependencies): ProvidingFeature<RecordingService> {
  const config = ctx.config.recording;
  const root = recordingsRoot(config, ctx.dataDir);
  const index = new RecordingIndex(ctx.db);
  const plans = new RecordingPlans(ctx.db);
  const storage = new RecordingStorage({ root, config, index, plans, log: ctx.log });
  const keeper = new PeriodicTask({
    run: () => storage.enforce(), everyMs: config.storageCheckSeconds * 1_000,
    onError: (error) => ctx.log.error({ err: error }, 'recording storage pass failed'),
  });
  const recorder = new Recorder({
    root, config, relay, index, plans, events: ctx.events, log: ctx.log,
    onSegment: (segment) => { if (storage.added(segment)) keeper.kick(); },
    onWriteError: (error, bytes) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') storage.needRoom(bytes);
      keeper.kick();
    },
  });
  // /metrics scrapes and dashboard views share one computation per REPORT_TTL_MS (it groups the whole index).
  let cached: { at: number; report: Promise<RecordingReport> } | undefined;
  const report = (): Promise<RecordingReport> => {
    if (!cached || Date.now() - cached.at > REPORT_TTL_MS) {
      cached = { at: Date.now(), report: recordingReport(index, storage) };
      cached.report.catch(() => { cached = undefined; });
    }
    return cached.report;
  };

  return {
    name: 'recording',
    provides: { index, plans, recorder, storage, root, report },
    registerRoutes(app) {
      registerRecordingRoutes(app, ctx, { config, plans, recorder });
      app.withTypeProvider<TypeBoxTypeProvider>().get('/dashboard/recording', {
        config: { access: 'user' },
        schema: { tags: ['dashboard'], summary: 'Recording storage: the volume, and per camera bytes, days kept and gaps (admins and auditors: all cameras; others: their department\'s)', response: responses({ 200: ReportView }) },
      }, async (request) => {
        const user = requireUser(request);
        const full = await report();
        if (user.role === 'admin' || user.role === 'auditor') return full;
        const own = new Set((await ctx.cameras.factsOf({ departments: [user.departmentId] })).map((c) => c.id));
        return { ...full, cameras: full.cameras.filter((c) => own.has(c.cameraId)) };
      });
    },
    start: async () => {
      await ensurePrivateDir(root);
      const reindexed = await reindexRecordings(root, index);
      if (reindexed.indexed + reindexed.repaired + reindexed.discarded > 0) ctx.log.warn({ ...reindexed }, 'recordings re-indexed at start');
      await storage.load();
      await storage.enforce();
      await recorder.start();
      keeper.start();
      // Every indexed file checked once now, in the background (a months-deep index is millions of files).
      void storage.sweepMissing().catch((error: Error) => ctx.log.error({ err: error }, 'recording start-up missing-file check failed'));
      ctx.metrics.add('recording', async () => recordingMetrics(await report()));
    },
    stop: async () => {
      ctx.metrics.remove('recording');
      await recorder.stop();
      await keeper.stop();
    },
    prune: async (now) => ({ recordingSegments: (await storage.enforce(now)).expired }),
  };
}
