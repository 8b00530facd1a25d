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
    // In slices, one transaction each, yielding between them: a 10,000-channel catalogue on SQLite (synchronous)
    // must not hold the event loop so long that other devices' keepalives are missed.
    for (let at = 0; at < rows.length; at += 200) {
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      await this.upsertSlice(rows.slice(at, at + 200));
    }
  }

  private async upsertSlice(rows: Array<Omit<GbChannelRow, 'camera_id'>>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const row of rows) {
        const { id, ...rest } = row;
        const updated = await trx.updateTable('gb_channels').set(rest).where('id', '=', id).executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) await trx.insertInto('gb_channels').values({ ...row, camera_id: null }).execute();
      }
    });
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
    await this.db.updateTable('gb_channels').set({ camera_id: cameraId }).where('id', '=', channelId).execute();
  }
}
