import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../../api/kernel/crypto/secret-box.ts';
import type { Database, GbChannelsTable, GbDevicesTable } from '../../api/kernel/db/tables/index.ts';

export type GbDeviceRow = Selectable<GbDevicesTable>;
export type GbChannelRow = Selectable<GbChannelsTable>;
export type GbDeviceChanges = Partial<Omit<GbDeviceRow, 'id' | 'created_at' | 'password_enc'>>;

/** The one owner of gb_devices and gb_channels; device passwords are sealed here and opened only for digest checks. */
export class GbDeviceRepository {
  constructor(private readonly db: Kysely<Database>, private readonly secrets: SecretBox) {}

  find(id: string): Promise<GbDeviceRow | undefined> {
    return this.db.selectFrom('gb_devices').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<GbDeviceRow[]> {
    return this.db.selectFrom('gb_devices').selectAll().orderBy('id').execute();
  }

  online(): Promise<GbDeviceRow[]> {
    return this.db.selectFrom('gb_devices').selectAll().where('status', '=', 'online').execute();
  }

  async insert(row: Omit<GbDeviceRow, 'password_enc'>, password: string | null): Promise<void> {
    await this.db.insertInto('gb_devices').values({ ...row, password_enc: password ? this.secrets.seal(password) : null }).execute();
  }

  /** Writes the changes (password: undefined keeps it, null clears it). */
  async update(id: string, changes: GbDeviceChanges, password?: string | null): Promise<void> {
    const written: Partial<GbDeviceRow> = { ...changes, updated_at: Date.now() };
    if (password !== undefined) written.password_enc = password ? this.secrets.seal(password) : null;
    await this.db.updateTable('gb_devices').set(written).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('gb_devices').where('id', '=', id).execute();
  }

  passwordOf(row: Pick<GbDeviceRow, 'password_enc'>): string | undefined {
    return row.password_enc ? this.secrets.open(row.password_enc) : undefined;
  }

  channels(deviceId: string): Promise<GbChannelRow[]> {
    return this.db.selectFrom('gb_channels').selectAll().where('device_id', '=', deviceId).orderBy('id').execute();
  }

  channel(id: string): Promise<GbChannelRow | undefined> {
    return this.db.selectFrom('gb_channels').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every channel that is a hub camera, with its device (cluster placement pins them to the device's node). */
  cameraDevices(): Promise<Array<{ camera_id: string; device_id: string }>> {
    return this.db.selectFrom('gb_channels').select(['camera_id', 'device_id']).where('camera_id', 'is not', null)
      .execute() as Promise<Array<{ camera_id: string; device_id: string }>>;
  }

  channelByCamera(cameraId: string): Promise<GbChannelRow | undefined> {
    return this.db.selectFrom('gb_channels').selectAll().where('camera_id', '=', cameraId).executeTakeFirst();
  }

  /** Inserts or replaces channels (a channel that moved to another device moves with it). */
  async upsertChannels(rows: Array<Omit<GbChannelRow, 'camera_id'>>): Promise<void> {
    // One INSERT … ON CONFLICT per slice (SQLite and PostgreSQL both have it) instead of an UPDATE and maybe an
    // INSERT per channel; slices keep the parameters under both limits and yield between them, so a 10,000-channel
    // catalogue on SQLite (synchronous) does not hold the event loop long enough for keepalives to be missed.
    // A channel listed twice (a NOTIFY may) is written once, as last listed: one statement cannot touch a row twice.
    const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
    for (let at = 0; at < unique.length; at += 200) {
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      await this.db.insertInto('gb_channels').values(unique.slice(at, at + 200).map((row) => ({ ...row, camera_id: null })))
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
          device_id: eb.ref('excluded.device_id'), name: eb.ref('excluded.name'), civil_code: eb.ref('excluded.civil_code'), address: eb.ref('excluded.address'),
          manufacturer: eb.ref('excluded.manufacturer'), model: eb.ref('excluded.model'), parent_id: eb.ref('excluded.parent_id'), ptz_type: eb.ref('excluded.ptz_type'),
          status: eb.ref('excluded.status'), lon: eb.ref('excluded.lon'), lat: eb.ref('excluded.lat'), updated_at: eb.ref('excluded.updated_at'),
        })))
        .execute();
    }
  }

  async setChannelStatus(ids: string[], status: 'ON' | 'OFF'): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('gb_channels').set({ status, updated_at: Date.now() }).where('id', 'in', ids).execute();
  }

  async deleteChannels(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('gb_channels').where('id', 'in', ids).execute();
  }

  /** Cameras shared upward (gb_upper_shares), oldest first. */
  upperShares(): Promise<Array<{ camera_id: string; approved_by: string; approved_at: number; ptz: number; playback: number }>> {
    return this.db.selectFrom('gb_upper_shares').selectAll().orderBy('approved_at').execute();
  }

  async addUpperShare(cameraId: string, approvedBy: string, rights: { ptz: boolean; playback: boolean } = { ptz: false, playback: false }): Promise<boolean> {
    if (await this.db.selectFrom('gb_upper_shares').select('camera_id').where('camera_id', '=', cameraId).executeTakeFirst()) return false;
    await this.db.insertInto('gb_upper_shares').values({ camera_id: cameraId, approved_by: approvedBy, approved_at: Date.now(), ptz: rights.ptz ? 1 : 0, playback: rights.playback ? 1 : 0 }).execute();
    return true;
  }

  async removeUpperShare(cameraId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('gb_upper_shares').where('camera_id', '=', cameraId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async linkCamera(channelId: string, cameraId: string | null): Promise<void> {
    await this.linkCameras([{ channelId, cameraId }]);
  }

  /** Channel → camera links, in one transaction. */
  async linkCameras(links: Array<{ channelId: string; cameraId: string | null }>): Promise<void> {
    if (links.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const { channelId, cameraId } of links) await trx.updateTable('gb_channels').set({ camera_id: cameraId }).where('id', '=', channelId).execute();
    });
  }
}
