import type { Kysely, Selectable } from 'kysely';
import type { SecretBox } from '../kernel/crypto/secret-box.ts';
import type { Database, ViidPeersTable, ViidPeerStatus } from '../kernel/db/tables/index.ts';

export type PeerRow = Selectable<ViidPeersTable>;

/**
 * A peer as the hub works with it: its row without the sealed passwords, plus the devices it may report for
 * and whether we register at it (a register password is set).
 */
export type Peer = Omit<PeerRow, 'password_enc' | 'register_password_enc'> & { devices: string[]; registersDownward: boolean };

/** Digest credentials we register with at a lower 视图库. */
export interface RegisterCredentials {
  username: string | null;
  password: string;
}

const PUBLIC_COLUMNS = ['id', 'kind', 'name', 'department_id', 'disabled', 'status', 'registered_at', 'registered_from', 'last_seen_at', 'base_url', 'register_username', 'created_by', 'created_at', 'updated_at'] as const;

/**
 * The one owner of the viid_peers and viid_peer_devices tables. The digest password is sealed on the way in
 * and opened only to check a registration; nothing that lists peers reads it.
 */
export class PeerRepository {
  constructor(private readonly db: Kysely<Database>, private readonly secrets: SecretBox) {}

  async insert(row: Omit<PeerRow, 'password_enc' | 'base_url' | 'register_username' | 'register_password_enc'> & { base_url?: string | null },
    password: string, devices: string[], register?: RegisterCredentials): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('viid_peers').values({
        ...row, base_url: row.base_url ?? null, password_enc: this.secrets.seal(password),
        register_username: register?.username ?? null, register_password_enc: register ? this.secrets.seal(register.password) : null,
      }).execute();
      if (devices.length) await trx.insertInto('viid_peer_devices').values(devices.map((nationalId) => ({ peer_id: row.id, national_id: nationalId }))).execute();
    });
  }

  /** Writes the changes; passwords are sealed (register credentials null = we stop registering there), a device list replaces the old one. */
  async update(id: string, changes: Partial<Pick<PeerRow, 'name' | 'disabled' | 'base_url' | 'updated_at'>>, password?: string, devices?: string[],
    register?: RegisterCredentials | null): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const registerSet = register === undefined ? {}
        : register === null ? { register_username: null, register_password_enc: null }
          : { register_username: register.username, register_password_enc: this.secrets.seal(register.password) };
      const set = { ...changes, ...registerSet, ...(password === undefined ? {} : { password_enc: this.secrets.seal(password) }) };
      if (Object.keys(set).length) await trx.updateTable('viid_peers').set(set).where('id', '=', id).execute();
      if (devices) {
        await trx.deleteFrom('viid_peer_devices').where('peer_id', '=', id).execute();
        if (devices.length) await trx.insertInto('viid_peer_devices').values(devices.map((nationalId) => ({ peer_id: id, national_id: nationalId }))).execute();
      }
    });
  }

  async delete(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('viid_peer_devices').where('peer_id', '=', id).execute();
      await trx.deleteFrom('viid_peers').where('id', '=', id).execute();
    });
  }

  async find(id: string): Promise<Peer | undefined> {
    const row = await this.db.selectFrom('viid_peers').select([...PUBLIC_COLUMNS, 'register_password_enc']).where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const { register_password_enc: sealed, ...peer } = row;
    return { ...peer, registersDownward: sealed !== null, devices: await this.devicesOf(id) };
  }

  async list(): Promise<Peer[]> {
    const rows = await this.db.selectFrom('viid_peers').select([...PUBLIC_COLUMNS, 'register_password_enc']).orderBy('id').execute();
    const devices = await this.db.selectFrom('viid_peer_devices').select(['peer_id', 'national_id']).orderBy('national_id').execute();
    const byPeer = new Map<string, string[]>();
    for (const d of devices) byPeer.set(d.peer_id, [...(byPeer.get(d.peer_id) ?? []), d.national_id]);
    return rows.map(({ register_password_enc: sealed, ...row }) => ({ ...row, registersDownward: sealed !== null, devices: byPeer.get(row.id) ?? [] }));
  }

  async devicesOf(id: string): Promise<string[]> {
    return (await this.db.selectFrom('viid_peer_devices').select('national_id').where('peer_id', '=', id).orderBy('national_id').execute()).map((r) => r.national_id);
  }

  /** Other peers already listing any of these devices (a device reports through one peer). */
  async claimedElsewhere(id: string, devices: string[]): Promise<Array<{ peer_id: string; national_id: string }>> {
    if (devices.length === 0) return [];
    const found: Array<{ peer_id: string; national_id: string }> = [];
    for (let i = 0; i < devices.length; i += 500) {
      found.push(...await this.db.selectFrom('viid_peer_devices').select(['peer_id', 'national_id'])
        .where('national_id', 'in', devices.slice(i, i + 500)).where('peer_id', '!=', id).execute());
    }
    return found;
  }

  /** The opened digest password of an enabled peer, for checking its registration only. */
  async passwordOf(id: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('viid_peers').select(['password_enc', 'disabled']).where('id', '=', id).executeTakeFirst();
    return row && row.disabled === 0 ? this.secrets.open(row.password_enc) : undefined;
  }

  /** The opened credentials we register with at an enabled peer (a lower 视图库), if it has any. */
  async registerCredentialsOf(id: string): Promise<RegisterCredentials | undefined> {
    const row = await this.db.selectFrom('viid_peers').select(['register_username', 'register_password_enc', 'disabled']).where('id', '=', id).executeTakeFirst();
    if (!row || row.disabled !== 0 || row.register_password_enc === null) return undefined;
    return { username: row.register_username, password: this.secrets.open(row.register_password_enc) };
  }

  /** After a key rotation: seals again with the current key every password a retired key sealed. Returns how many. */
  async resealPasswords(): Promise<number> {
    const rows = await this.db.selectFrom('viid_peers').select(['id', 'password_enc', 'register_password_enc']).execute();
    let resealed = 0;
    for (const { id, password_enc: sealed, register_password_enc: registerSealed } of rows) {
      if (this.secrets.sealedWithRetiredKey(sealed)) {
        await this.db.updateTable('viid_peers').set({ password_enc: this.secrets.seal(this.secrets.open(sealed)) })
          .where('id', '=', id).where('password_enc', '=', sealed).execute();
        resealed++;
      }
      if (registerSealed !== null && this.secrets.sealedWithRetiredKey(registerSealed)) {
        await this.db.updateTable('viid_peers').set({ register_password_enc: this.secrets.seal(this.secrets.open(registerSealed)) })
          .where('id', '=', id).where('register_password_enc', '=', registerSealed).execute();
        resealed++;
      }
    }
    return resealed;
  }

  async setStatus(id: string, status: ViidPeerStatus, at: number, from?: string): Promise<void> {
    const registered = status === 'online' && from !== undefined ? { registered_at: at, registered_from: from } : {};
    await this.db.updateTable('viid_peers').set({ status, last_seen_at: at, ...registered }).where('id', '=', id).execute();
  }

  /** At start: peers online when the hub stopped whose session was not restored go offline. */
  async offlineExcept(keep: string[], at: number): Promise<void> {
    let query = this.db.updateTable('viid_peers').set({ status: 'offline', updated_at: at }).where('status', '=', 'online');
    if (keep.length > 0) query = query.where('id', 'not in', keep);
    await query.execute();
  }

  /** Flushes the last-seen times of live sessions (at stop, so a restart counts from the last request). */
  async seenMany(seen: Array<{ id: string; at: number }>): Promise<void> {
    for (const { id, at } of seen) await this.seen(id, at);
  }

  async seen(id: string, at: number): Promise<void> {
    await this.db.updateTable('viid_peers').set({ last_seen_at: at }).where('id', '=', id).execute();
  }
}
