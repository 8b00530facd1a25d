import type { CameraEventReader } from '../checkpoint/camera-event-reader.ts';
import type { CrowdStore } from '../../analytics/crowd/crowd-store.ts';

export interface TimelineEvent {
  kind: 'pass' | 'alert' | 'crowd';
  id: string;
  at: number;
  /** Plate for passes and watchlist alerts, zone for crowd alerts. */
  label: string;
  /** The pass an alert is about. */
  passId: string | null;
}

/** Where the timeline's events come from: each kind through the feature that owns its table. */
export interface TimelineEventSources {
  checkpoint: Pick<CameraEventReader, 'passes' | 'alerts'>;
  crowd: Pick<CrowdStore, 'alerts'>;
}

const LIMIT = 2_000;

/**
 * Events marked on a camera's playback timeline within [from, to): plate passes, watchlist alerts (of the
 * viewer's department, all for admins) and crowd alerts, read through the checkpoint feature's
 * CameraEventReader and the crowd feature's CrowdStore; bounded. The caller decided the viewer may see
 * the camera's events.
 */
export async function timelineEvents(sources: TimelineEventSources, cameraId: string, from: number, to: number, viewer: { departmentId: string; admin: boolean }): Promise<TimelineEvent[]> {
  const [passes, alerts, crowd] = await Promise.all([
    sources.checkpoint.passes(cameraId, from, to, LIMIT),
    sources.checkpoint.alerts(cameraId, from, to, viewer, LIMIT),
    sources.crowd.alerts(cameraId, from, to, LIMIT),
  ]);
  return [
    ...passes.map((p) => ({ kind: 'pass' as const, id: p.id, at: p.passedAt, label: p.plate, passId: p.id })),
    ...alerts.map((a) => ({ kind: 'alert' as const, id: a.id, at: a.passedAt, label: a.plate, passId: a.passId })),
    ...crowd.map((c) => ({ kind: 'crowd' as const, id: c.id, at: Number(c.raised_at), label: `${c.zone_id} (${c.peak_count})`, passId: null })),
  ].sort((a, b) => a.at - b.at);
}
