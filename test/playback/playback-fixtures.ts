import { RecordingIndex, type RecordedSegment } from '../../recording/recording-index.ts';
import { startRtspServer, type RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import type { DatabaseKind } from '../helpers/databases.ts';
import { startTestHub, type TestHub, type TestUser } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, startSimCameras, until } from '../relay/relay-fixtures.ts';

export interface RecordingHub {
  t: TestHub;
  rtsp: RtspServerHandle;
  /** The first camera; `cameraIds` holds all of them. */
  cameraId: string;
  cameraIds: string[];
  index: RecordingIndex;
  /** Waits until at least `count` segments of the camera are indexed; returns them oldest first. */
  segments(count: number, timeoutMs?: number): Promise<RecordedSegment[]>;
  stop(): Promise<void>;
}

/**
 * A hub with simulated cameras ('small' clip, 15 fps, key frame every second; one unless asked) recorded
 * continuously by the product's recording feature (plan set through its route) from the relay's single pull
 * into 2 s segments. `source: 'clock'`: the simulator's clock mode instead (each frame carries its wall-clock time).
 */
export async function startRecordingHub(kind: DatabaseKind, overrides: Record<string, unknown> = {}, cameraCount = 1, source: 'clip' | 'clock' = 'clip'): Promise<RecordingHub> {
  const mounts = Array.from({ length: cameraCount }, (_, i) => `rec${i + 1}`);
  const rtsp = source === 'clock' ? await startRtspServer({ mounts, clock: true }) : await startSimCameras(mounts);
  let t: TestHub | undefined;
  try {
    t = await startTestHub(kind, { overrides: { ...FAST_RELAY, recording: { segmentSeconds: 2, pollMs: 200 }, ...overrides } });
    const hub = t;
    const cameraIds: string[] = [];
    for (const mount of mounts) cameraIds.push(await addCamera(hub, rtsp.urlFor(mount), `卡口 东门 ${mount}`));
    const cameraId = cameraIds[0]!;
    const index = new RecordingIndex(hub.hub.ctx.db);
    for (const id of cameraIds) {
      const plan = await hub.api(`/api/v1/cameras/${id}/recording`, { method: 'PUT', user: hub.users.psApprover, body: { mode: 'continuous' } });
      if (plan.status !== 200) throw new Error(`recording plan not set: ${plan.status} ${JSON.stringify(plan.body)}`);
    }
    return {
      t: hub, rtsp, cameraId, cameraIds, index,
      segments: async (count, timeoutMs = 60_000) => until(`${count} recorded segments per camera`, async () => {
        const all = await Promise.all(cameraIds.map((id) => index.segmentsBetween(id, 0, Date.now() + 60_000)));
        return all.every((found) => found.length >= count) ? all[0] : undefined;
      }, timeoutMs, 250),
      stop: async () => {
        await hub.stop();
        await rtsp.stop();
      },
    };
  } catch (error) {
    await t?.stop();
    await rtsp.stop();
    throw error;
  }
}

/** Opens a playback session; returns the answer and the binding cookie the browser would hold. */
export async function openPlayback(t: TestHub, user: TestUser, cameraId: string, body: Record<string, unknown>) {
  const answer = await t.api(`/api/v1/playback/cameras/${cameraId}/sessions`, { user, body });
  const cookie = answer.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  return { ...answer, cookie };
}

export async function fetchWithCookie(t: TestHub, path: string, cookie: string): Promise<{ status: number; body: Buffer; text: string }> {
  const response = await fetch(`${t.url}${path}`, { headers: cookie ? { cookie } : {} });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, body, text: body.toString('utf8') };
}

/** Polls an export job until it is done or failed. */
export async function waitForExport(t: TestHub, user: TestUser, id: string, timeoutMs = 90_000): Promise<any> {
  return until(`export ${id} finished`, async () => {
    const job = (await t.api(`/api/v1/evidence/exports/${id}`, { user })).body;
    return job.state === 'done' || job.state === 'failed' ? job : undefined;
  }, timeoutMs, 250);
}
