import { randomUUID } from 'node:crypto';
import { deleteSeriesBefore } from '../../api/kernel/db/delete-series.ts';
import type { HubContext } from '../../api/hub/hub-context.ts';
import type { HubEventMap } from '../../api/kernel/events/hub-events.ts';

type StatusEvent = HubEventMap['camera.status'][0];

/** Records every camera.status event in camera_status_changes, whoever caused it. */
export class StatusHistory {
  private pending = new Set<Promise<void>>();
  private readonly onStatus = (event: StatusEvent) => {
    const write = this.record(event).catch((error: unknown) => this.ctx.log.error({ err: error, cameraId: event.cameraId }, 'status change not recorded'));
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  };

  constructor(private readonly ctx: HubContext) {}

  start(): void {
    this.ctx.events.on('camera.status', this.onStatus);
  }

  async stop(): Promise<void> {
    this.ctx.events.off('camera.status', this.onStatus);
    await Promise.allSettled([...this.pending]);
  }

  async record(event: StatusEvent): Promise<void> {
    if (await this.ctx.cameras.statusOf(event.cameraId) === undefined) return;
    await this.ctx.db.insertInto('camera_status_changes').values({
      id: randomUUID(), camera_id: event.cameraId, at: event.at, status: event.status, previous: event.previous, reason: event.reason?.slice(0, 500) ?? null,
    }).execute();
  }

  /** Retention: deletes the history before the cutoff; returns how many changes went. */
  prune(before: number): Promise<number> {
    return deleteSeriesBefore(this.ctx.db, 'camera_status_changes', before);
  }

  list(cameraId: string, limit: number) {
    return this.ctx.db.selectFrom('camera_status_changes').select(['at', 'status', 'previous', 'reason'])
      .where('camera_id', '=', cameraId).orderBy('at', 'desc').orderBy('id').limit(limit).execute();
  }
}
