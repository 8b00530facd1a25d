import { sql, type Kysely, type Selectable } from 'kysely';
import type { SecretBox } from '../../api/kernel/crypto/secret-box.ts';
import type { CameraCategory, CamerasTable, CameraStatus, Database } from '../../api/kernel/db/tables/index.ts';

export interface CameraCredentials {
  username: string;
  password: string;
}

export type CameraRow = Selectable<CamerasTable>;

/** A camera row as written by its owner; the credentials go in beside it and are sealed here. */
export type NewCameraRow = Omit<CameraRow, 'credentials_enc' | 'national_id'> & { national_id?: string | null };

/** Columns a registration may change (not the owner, the source or the credentials, which go apart). */
export type CameraChanges = Partial<Omit<CameraRow, 'id' | 'department_id' | 'source' | 'created_at' | 'credentials_enc'>>;

/** What an access decision needs to know about a camera. */
export type CameraFacts = Pick<CameraRow, 'id' | 'department_id' | 'category' | 'lat' | 'lon'>;

/** A camera as listed next to other records: its facts, name and status. */
export type CameraSummary = CameraFacts & Pick<CameraRow, 'name' | 'status'>;

/** A page of the catalogue: conditions all of which a camera meets, sorted by name. */
export interface CameraSearch {
  /** Words in the name, address or national code (case-insensitive, each word must occur). */
  text?: string;
  departmentId?: string;
  category?: CameraCategory;
  status?: CameraStatus;
  /** Only cameras placed inside this box. */
  box?: { minLat: number; minLon: number; maxLat: number; maxLon: number };
  offset: number;
  limit: number;
}

const FACTS = ['id', 'department_id', 'category', 'lat', 'lon'] as const;
const SUMMARY = [...FACTS, 'name', 'status'] as const;

/**
 * The one owner of the cameras table: every read and write of it goes through here, under names that say
 * what the caller needs. Credentials are sealed on the way in and opened only for talking to the camera.
 */
export class CameraRepository {
  constructor(private readonly db: Kysely<Database>, private readonly secrets: SecretBox) {}

  async insert(row: NewCameraRow, credentials: CameraCredentials | null): Promise<CameraRow> {
    const full: CameraRow = { ...row, national_id: row.national_id ?? null, credentials_enc: credentials ? this.secrets.sealJson(credentials) : null };
    await this.db.insertInto('cameras').values(full).execute();
    return full;
  }

  /** Writes the changes (credentials: undefined keeps them, null clears them); returns the columns written. */
  async update(id: string, changes: CameraChanges, credentials?: CameraCredentials | null): Promise<Partial<CameraRow>> {
    const written: Partial<CameraRow> = { ...changes };
    if (credentials !== undefined) written.credentials_enc = credentials ? this.secrets.sealJson(credentials) : null;
    await this.db.updateTable('cameras').set(written).where('id', '=', id).execute();
    return written;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('cameras').where('id', '=', id).execute();
  }

  find(id: string): Promise<CameraRow | undefined> {
    return this.db.selectFrom('cameras').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByNationalId(nationalId: string): Promise<CameraRow | undefined> {
    return this.db.selectFrom('cameras').selectAll().where('national_id', '=', nationalId).executeTakeFirst();
  }

  /** Hands cameras to another owner department (a GB/T 28181 device an admin re-assigned). */
  async moveToDepartment(ids: string[], departmentId: string, category: CameraCategory): Promise<void> {
    if (ids.length === 0) return;
    await this.db.updateTable('cameras').set({ department_id: departmentId, category, updated_at: Date.now() }).where('id', 'in', ids).execute();
  }

  list(filter: { departmentId?: string; category?: CameraCategory; status?: CameraStatus } = {}): Promise<CameraRow[]> {
    let query = this.db.selectFrom('cameras').selectAll().orderBy('name');
    if (filter.departmentId) query = query.where('department_id', '=', filter.departmentId);
    if (filter.category) query = query.where('category', '=', filter.category);
    if (filter.status) query = query.where('status', '=', filter.status);
    return query.execute();
  }

  /** One page of the cameras matching every condition of the search, and how many match in all. */
  async search(search: CameraSearch): Promise<{ rows: CameraRow[]; total: number }> {
    let query = this.db.selectFrom('cameras');
    if (search.departmentId) query = query.where('department_id', '=', search.departmentId);
    if (search.category) query = query.where('category', '=', search.category);
    if (search.status) query = query.where('status', '=', search.status);
    if (search.box) {
      const { minLat, minLon, maxLat, maxLon } = search.box;
      query = query.where('lat', '>=', minLat).where('lat', '<=', maxLat).where('lon', '>=', minLon).where('lon', '<=', maxLon);
    }
    for (const word of (search.text ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8)) {
      const pattern = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or(['name', 'address', 'national_id'].map((column) =>
        eb(sql`lower(${sql.ref(column)})`, 'like', sql`${pattern} escape '\\'`))));
    }
    const [rows, count] = await Promise.all([
      query.selectAll().orderBy('name').orderBy('id').offset(search.offset).limit(search.limit).execute(),
      query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** Ids of the cameras matching every given condition (all cameras without one). */
  async ids(filter: { departmentId?: string; analyticsEnabled?: boolean; source?: CameraRow['source'] } = {}): Promise<string[]> {
    let query = this.db.selectFrom('cameras').select('id');
    if (filter.departmentId !== undefined) query = query.where('department_id', '=', filter.departmentId);
    if (filter.analyticsEnabled !== undefined) query = query.where('analytics_enabled', '=', filter.analyticsEnabled ? 1 : 0);
    if (filter.source !== undefined) query = query.where('source', '=', filter.source);
    return (await query.execute()).map((row) => row.id);
  }

  /** Which of these ids are known cameras. */
  async existing(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    return new Set((await this.db.selectFrom('cameras').select('id').where('id', 'in', ids).execute()).map((row) => row.id));
  }

  /** The cameras known by these national IDs (GA/T 1400 / GB/T 28181 device codes), keyed by that ID. */
  async byNationalIds(nationalIds: string[]): Promise<Map<string, CameraFacts & Pick<CameraRow, 'name' | 'source'>>> {
    const found = new Map<string, CameraFacts & Pick<CameraRow, 'name' | 'source'>>();
    for (let i = 0; i < nationalIds.length; i += 500) {
      const rows = await this.db.selectFrom('cameras').select([...FACTS, 'name', 'source', 'national_id'])
        .where('national_id', 'in', nationalIds.slice(i, i + 500)).execute();
      for (const { national_id: nationalId, ...row } of rows) found.set(nationalId!, row);
    }
    return found;
  }

  /** Cameras that have no national ID yet. */
  async withoutNationalId(): Promise<string[]> {
    return (await this.db.selectFrom('cameras').select('id').where('national_id', 'is', null).execute()).map((row) => row.id);
  }

  /**
   * Gives a camera without a national ID the first of the candidates no other camera holds (the unique index
   * decides); returns the camera's national ID afterwards (unchanged when it had one meanwhile).
   */
  async assignNationalId(id: string, candidates: string[]): Promise<string | undefined> {
    for (const candidate of candidates) {
      try {
        await this.db.updateTable('cameras').set({ national_id: candidate }).where('id', '=', id).where('national_id', 'is', null).execute();
        break;
      } catch {
        // Taken by another camera: try the next candidate.
      }
    }
    return (await this.db.selectFrom('cameras').select('national_id').where('id', '=', id).executeTakeFirst())?.national_id ?? undefined;
  }

  /** National IDs of these cameras (null where none is set). */
  async nationalIdsOf(ids: string[]): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db.selectFrom('cameras').select(['id', 'national_id']).where('id', 'in', ids.slice(i, i + 500)).execute();
      for (const row of rows) found.set(row.id, row.national_id);
    }
    return found;
  }

  facts(id: string): Promise<CameraFacts | undefined> {
    return this.db.selectFrom('cameras').select(FACTS).where('id', '=', id).executeTakeFirst();
  }

  /** Facts of the cameras with these ids, or of every camera of these departments. */
  factsOf(where: { ids: string[] } | { departments: string[] }): Promise<CameraFacts[]> {
    const [column, values] = 'ids' in where ? ['id' as const, where.ids] : ['department_id' as const, where.departments];
    if (values.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('cameras').select(FACTS).where(column, 'in', values).execute();
  }

  /** Summaries of the cameras with these ids, or of every camera when no ids are given. */
  summaries(ids?: string[]): Promise<CameraSummary[]> {
    if (ids?.length === 0) return Promise.resolve([]);
    const query = this.db.selectFrom('cameras').select(SUMMARY);
    return (ids ? query.where('id', 'in', ids) : query).execute();
  }

  /** id, name and place of every camera, as a subquery to join (one SQL query for callers that list passes). */
  places() {
    return this.db.selectFrom('cameras').select(['id', 'name', 'lat', 'lon']);
  }

  async statusOf(id: string): Promise<CameraStatus | undefined> {
    return (await this.db.selectFrom('cameras').select('status').where('id', '=', id).executeTakeFirst())?.status;
  }

  /**
   * What analytics pulls for a camera: whether it is enabled, and a fingerprint of the source (URL and sealed
   * credentials) that changes whenever the pull would; undefined for an unknown camera.
   */
  async analyticsSource(id: string): Promise<{ enabled: boolean; fingerprint: string } | undefined> {
    const row = await this.db.selectFrom('cameras').select(['analytics_enabled', 'stream_url', 'credentials_enc']).where('id', '=', id).executeTakeFirst();
    return row && { enabled: row.analytics_enabled === 1, fingerprint: `${row.stream_url}\n${row.credentials_enc ?? ''}` };
  }

  /**
   * After a key rotation (credentials.previousEncryptionKeys): seals again with the current key every
   * camera's credentials that a retired key sealed, so the retired key can then be dropped. Returns how many.
   */
  async resealCredentials(): Promise<number> {
    const rows = await this.db.selectFrom('cameras').select(['id', 'credentials_enc']).where('credentials_enc', 'is not', null).execute();
    let resealed = 0;
    for (const { id, credentials_enc: sealed } of rows) {
      if (!sealed || !this.secrets.sealedWithRetiredKey(sealed)) continue;
      // Only if unchanged meanwhile: a concurrent edit already sealed with the current key.
      await this.db.updateTable('cameras').set({ credentials_enc: this.secrets.seal(this.secrets.open(sealed)) })
        .where('id', '=', id).where('credentials_enc', '=', sealed).execute();
      resealed++;
    }
    return resealed;
  }

  hasCredentials(row: Pick<CameraRow, 'credentials_enc'>): boolean {
    return row.credentials_enc !== null;
  }

  /** Decrypted credentials, for talking to the camera only. */
  credentialsOf(row: Pick<CameraRow, 'credentials_enc'>): CameraCredentials | undefined {
    return row.credentials_enc ? this.secrets.openJson<CameraCredentials>(row.credentials_enc) : undefined;
  }

  /**
   * GB/T 28181 channel cameras, one transaction: each found by national ID is updated where its facts or owner
   * changed, each not found is inserted as given (`change` says which happened; none when it was up to date).
   */
  async upsertNationalSlice(items: NationalSliceItem[], now: number): Promise<Array<{ row: CameraRow; change?: 'created' | 'updated' }>> {
    if (items.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const existing = new Map((await trx.selectFrom('cameras').selectAll().where('national_id', 'in', items.map((i) => i.nationalId)).execute()).map((r) => [r.national_id!, r]));
      const out: Array<{ row: CameraRow; change?: 'created' | 'updated' }> = [];
      for (const item of items) {
        let found = existing.get(item.nationalId);
        if (!found) {
          // Another cluster node may be creating the same channel (its device re-registered there while a sync
          // ran here): on conflict its row wins and is reconciled below, where a plain insert failed the slice.
          const inserted = await trx.insertInto('cameras').values(item.insert)
            .onConflict((oc) => oc.column('national_id').doNothing()).executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
            existing.set(item.nationalId, item.insert);
            out.push({ row: item.insert, change: 'created' });
            continue;
          }
          found = await trx.selectFrom('cameras').selectAll().where('national_id', '=', item.nationalId).executeTakeFirstOrThrow();
        }
        const { facts } = item;
        const moved = found.department_id !== item.departmentId;
        const same = found.name === facts.name && found.lat === facts.lat && found.lon === facts.lon && found.address === facts.address && found.ptz === facts.ptz;
        if (same && !moved) { out.push({ row: found }); continue; }
        const written = { ...facts, ...(moved ? { department_id: item.departmentId, category: item.category } : {}), updated_at: now };
        await trx.updateTable('cameras').set(written).where('id', '=', found.id).execute();
        const row = { ...found, ...written };
        existing.set(item.nationalId, row);
        out.push({ row, change: 'updated' });
      }
      return out;
    });
  }

  /** Statuses of several cameras, one transaction; resolves with each previous status (undefined: no such camera). */
  async setStatusSlice(changes: Array<{ id: string; status: CameraStatus }>, at: number): Promise<Array<CameraStatus | undefined>> {
    if (changes.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('cameras').select(['id', 'status']).where('id', 'in', changes.map((c) => c.id)).execute();
      const current = new Map(rows.map((r) => [r.id, r.status]));
      const previous = changes.map((c) => current.get(c.id));
      const seenOnly: string[] = [];
      const byStatus = new Map<CameraStatus, string[]>();
      changes.forEach((change, i) => {
        const before = previous[i];
        if (before === undefined) return;
        if (before === change.status) { if (change.status === 'online') seenOnly.push(change.id); return; }
        byStatus.set(change.status, [...(byStatus.get(change.status) ?? []), change.id]);
      });
      if (seenOnly.length) await trx.updateTable('cameras').set({ last_seen_at: at }).where('id', 'in', seenOnly).execute();
      for (const [status, ids] of byStatus) {
        await trx.updateTable('cameras').set({ status, status_changed_at: at, ...(status === 'online' ? { last_seen_at: at } : {}) }).where('id', 'in', ids).execute();
      }
      return previous;
    });
  }
}

/** One GB/T 28181 channel camera for upsertNationalSlice: its facts, and the whole row should it be new. */
export interface NationalSliceItem {
  nationalId: string;
  departmentId: string;
  category: CameraCategory;
  facts: { name: string; lat: number | null; lon: number | null; address: string | null; ptz: number };
  insert: CameraRow;
}
