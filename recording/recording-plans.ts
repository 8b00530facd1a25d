import type { Kysely } from 'kysely';
import type { Database } from '../api/kernel/db/tables/index.ts';
import type { RecordingEventKind } from '../api/kernel/db/tables/recording.ts';
import type { RecordingPlan, WeeklySchedule } from './recording-plan.ts';

type PlanRow = Database['recording_plans'];

function toPlan(row: PlanRow): RecordingPlan {
  return {
    cameraId: row.camera_id, mode: row.mode, schedule: JSON.parse(row.schedule) as WeeklySchedule,
    events: JSON.parse(row.events) as RecordingEventKind[], preRollSeconds: row.pre_roll_s, postRollSeconds: row.post_roll_s,
    retentionDays: row.retention_days === null ? null : Number(row.retention_days), updatedBy: row.updated_by, updatedAt: Number(row.updated_at),
  };
}

/** The one owner of `recording_plans`. A camera without a row records nothing (mode off). */
export class RecordingPlans {
  constructor(private readonly db: Kysely<Database>) {}

  async get(cameraId: string): Promise<RecordingPlan | undefined> {
    const row = await this.db.selectFrom('recording_plans').selectAll().where('camera_id', '=', cameraId).executeTakeFirst();
    return row ? toPlan(row) : undefined;
  }

  /** Plans that record anything. */
  async active(): Promise<RecordingPlan[]> {
    return (await this.db.selectFrom('recording_plans').selectAll().where('mode', '!=', 'off').execute()).map(toPlan);
  }

  /** Every plan with its own retention days (the storage keeper applies them). */
  async retentionOverrides(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('recording_plans').select(['camera_id', 'retention_days']).where('retention_days', 'is not', null).execute();
    return new Map(rows.map((r) => [r.camera_id, Number(r.retention_days)]));
  }

  async put(plan: RecordingPlan): Promise<void> {
    const values = {
      mode: plan.mode, schedule: JSON.stringify(plan.schedule), events: JSON.stringify(plan.events), pre_roll_s: plan.preRollSeconds,
      post_roll_s: plan.postRollSeconds, retention_days: plan.retentionDays, updated_by: plan.updatedBy, updated_at: plan.updatedAt,
    };
    await this.db.insertInto('recording_plans').values({ camera_id: plan.cameraId, ...values })
      .onConflict((oc) => oc.column('camera_id').doUpdateSet(values)).execute();
  }

  async remove(cameraId: string): Promise<void> {
    await this.db.deleteFrom('recording_plans').where('camera_id', '=', cameraId).execute();
  }
}
