import type { Kysely, Selectable } from 'kysely';
import type { Database, ViidLanesTable, ViidTollgatesTable } from '../kernel/db/tables/index.ts';

export type TollgateRow = Selectable<ViidTollgatesTable>;
export type LaneRow = Selectable<ViidLanesTable>;

/** The one owner of viid_tollgates and viid_lanes: the 卡口 sites and lanes peers report. */
export class TollgateRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async upsertTollgate(row: TollgateRow): Promise<void> {
    const { id: _id, ...changes } = row;
    await this.db.insertInto('viid_tollgates').values(row).onConflict((oc) => oc.column('id').doUpdateSet(changes)).execute();
  }

  async upsertLane(row: LaneRow): Promise<void> {
    const { tollgate_id: _t, lane_no: _n, ...changes } = row;
    await this.db.insertInto('viid_lanes').values(row).onConflict((oc) => oc.columns(['tollgate_id', 'lane_no']).doUpdateSet(changes)).execute();
  }

  findTollgate(id: string): Promise<TollgateRow | undefined> {
    return this.db.selectFrom('viid_tollgates').selectAll().where('id', '=', id).executeTakeFirst();
  }

  tollgatesOf(departmentId: string): Promise<TollgateRow[]> {
    return this.db.selectFrom('viid_tollgates').selectAll().where('department_id', '=', departmentId).orderBy('id').execute();
  }

  /** Lanes of the given tollgates. */
  lanesOf(tollgateIds: string[]): Promise<LaneRow[]> {
    if (tollgateIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('viid_lanes').selectAll().where('tollgate_id', 'in', tollgateIds).orderBy('tollgate_id').orderBy('lane_no').execute();
  }
}
