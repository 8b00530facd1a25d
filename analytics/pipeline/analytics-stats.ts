import type { FrameAnalyser } from './frame-analyser.ts';
import type { PassQueue } from './pass-queue.ts';
import type { PipelineManager } from './pipeline-manager.ts';
import { emptyCounters, type CameraCounters, type CameraStats } from './pipeline-stats.ts';

export interface AnalyticsStatsSnapshot {
  cameras: CameraStats[];
  totals: CameraCounters;
  analyser: Record<string, unknown>;
  passQueue: Record<string, number>;
}

/** The analyticsStats() service and GET /analytics/stats: counters of every camera, the analyser and the pass queue. */
export class AnalyticsStats {
  constructor(
    private readonly pipelines: () => PipelineManager | undefined,
    private readonly analyser: () => FrameAnalyser | undefined,
    private readonly passes: () => PassQueue | undefined,
  ) {}

  async snapshot(): Promise<AnalyticsStatsSnapshot> {
    const cameras = this.pipelines()?.stats() ?? [];
    const totals = emptyCounters();
    for (const camera of cameras) for (const key of Object.keys(totals) as Array<keyof CameraCounters>) totals[key] += camera[key];
    const queue = this.passes();
    const passQueue = queue ? { ...(await boundedCounts(queue)), ...queue.stats() } : {};
    return { cameras, totals, analyser: { kind: this.analyser()?.kind ?? 'none', ...(this.analyser()?.stats() ?? {}) }, passQueue };
  }
}

/** Redis commands wait (forever) for a reconnect, so the stats route would hang while Redis is gone; answer without queue counts instead. */
const COUNTS_TIMEOUT_MS = 1_000;

async function boundedCounts(queue: PassQueue): Promise<Record<string, number>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Record<string, number>>((resolve) => { timer = setTimeout(() => resolve({ redisUnavailable: 1 }), COUNTS_TIMEOUT_MS); });
  try {
    return await Promise.race([queue.counts().catch(() => ({ redisUnavailable: 1 })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
