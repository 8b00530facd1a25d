import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { CameraCandidatesTable } from '../../api/kernel/db/tables/ingest.ts';
import type { Database } from '../../api/kernel/db/tables/index.ts';
import { notFound } from '../../api/kernel/errors/hub-error.ts';
import type { DiscoveredDevice } from './probe-match.ts';

export type CandidateRow = Selectable<CameraCandidatesTable>;

/** Discovered devices, one row per endpoint reference; a later scan refreshes the address and names. */
export class CandidateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async upsert(devices: DiscoveredDevice[], now = Date.now()): Promise<CandidateRow[]> {
    for (const device of devices) {
      const fields = { xaddr: device.xaddr, name: device.name, hardware: device.hardware, location_scopes: JSON.stringify(device.locations), last_seen_at: now };
      await this.db.insertInto('camera_candidates')
        .values({ id: randomUUID(), endpoint_ref: device.endpointRef, discovered_at: now, adopted_camera_id: null, ...fields })
        .onConflict((oc) => oc.column('endpoint_ref').doUpdateSet(fields))
        .execute();
    }
    if (devices.length === 0) return [];
    return this.db.selectFrom('camera_candidates').selectAll().where('endpoint_ref', 'in', devices.map((d) => d.endpointRef)).orderBy('name').execute();
  }

  list(): Promise<CandidateRow[]> {
    return this.db.selectFrom('camera_candidates').selectAll().orderBy('last_seen_at', 'desc').orderBy('name').execute();
  }

  async get(id: string): Promise<CandidateRow> {
    const row = await this.db.selectFrom('camera_candidates').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('CANDIDATE_NOT_FOUND', `discovery candidate ${id} does not exist`);
    return row;
  }

  /** Claims the candidate for a camera; false when another adoption got there first (it no longer holds `before`). */
  async markAdopted(id: string, cameraId: string, before: string | null = null): Promise<boolean> {
    const result = await this.db.updateTable('camera_candidates').set({ adopted_camera_id: cameraId })
      .where('id', '=', id).where('adopted_camera_id', before === null ? 'is' : '=', before).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
