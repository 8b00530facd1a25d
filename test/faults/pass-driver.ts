import { randomUUID } from 'node:crypto';

/** A pass record as POST /api/v1/checkpoint/passes takes it, with an id unique to this run. */
export function passRecord(cameraId: string, n: number, runId: string) {
  return {
    id: `fault-${runId}-${n}`, cameraId, passedAt: 1_700_000_000_000 + n * 1_000, plate: `京A${String(n % 100_000).padStart(5, '0')}`,
    plateColour: 'blue' as const, plateConfidence: 0.95, charConfidences: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
  };
}

export interface IngestTally {
  /** Ids whose batch the hub acknowledged with 200. */
  acknowledged: Set<string>;
  /** Batches that were not acknowledged (error or connection failure), to re-send later. */
  unacknowledged: Array<Array<ReturnType<typeof passRecord>>>;
  failures: number;
  /** Longest time one request took, ms: a hanging API shows here. */
  slowestMs: number;
}

/**
 * Sends batches of passes in `lanes` parallel loops until stop() is called, remembering exactly which ids
 * were acknowledged. Failed requests are not retried here: they go to `unacknowledged`.
 */
export function startIngestLoad(o: { url: () => string; token: () => string; cameraId: string; batch: number; lanes: number }) {
  const runId = randomUUID().slice(0, 8);
  const tally: IngestTally = { acknowledged: new Set(), unacknowledged: [], failures: 0, slowestMs: 0 };
  let next = 0;
  let running = true;
  const lane = async () => {
    while (running) {
      const records = Array.from({ length: o.batch }, () => passRecord(o.cameraId, next++, runId));
      const started = Date.now();
      const ok = await postPasses(o.url(), o.token(), records).catch(() => false);
      tally.slowestMs = Math.max(tally.slowestMs, Date.now() - started);
      if (ok) for (const r of records) tally.acknowledged.add(r.id);
      else {
        tally.failures++;
        tally.unacknowledged.push(records);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const lanes = Array.from({ length: o.lanes }, lane);
  return {
    tally,
    runId,
    sent: () => next,
    stop: async () => {
      running = false;
      await Promise.all(lanes);
      return tally;
    },
  };
}

/** One ingest call, bounded in time; true only for a 200 (the acknowledgement). */
export async function postPasses(url: string, token: string, records: unknown[], timeoutMs = 15_000): Promise<boolean> {
  const response = await fetch(`${url}/api/v1/checkpoint/passes`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ records }), signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer();
  return response.status === 200;
}
