import type { Kysely, Selectable } from 'kysely';
import type { Database, GrantsTable } from '../kernel/db/tables/index.ts';

export type Grant = Selectable<GrantsTable>;

export type GrantState = 'scheduled' | 'active' | 'ended' | 'revoked';

/** The state of a grant at `at`; the same rule as GrantRepository.active, for a grant already loaded. */
export function grantState(grant: Pick<GrantsTable, 'starts_at' | 'ends_at' | 'revoked_at'>, at: number): GrantState {
  if (grant.revoked_at !== null) return 'revoked';
  if (at < Number(grant.starts_at)) return 'scheduled';
  if (at >= Number(grant.ends_at)) return 'ended';
  return 'active';
}

/** Which grants to list: held by a department (grantee), given by one (owner), or either (party). */
export interface GrantListFilter {
  grantee?: string;
  owner?: string;
  party?: string;
  unreviewedEmergency?: boolean;
  limit: number;
}

/** The one owner of the grants table; the active-grant rule is written here once. */
export class GrantRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Grants active at `at` (started, not ended, not revoked), narrowed to a grantee and/or owner department. */
  active(query: { grantee?: string; owner?: string; at: number }): Promise<Grant[]> {
    let q = this.db.selectFrom('grants').selectAll()
      .where('starts_at', '<=', query.at).where('ends_at', '>', query.at).where('revoked_at', 'is', null);
    if (query.grantee !== undefined) q = q.where('grantee_department_id', '=', query.grantee);
    if (query.owner !== undefined) q = q.where('owner_department_id', '=', query.owner);
    return q.execute();
  }

  /** Inserts a grant, inside the caller's transaction when one is given. */
  async insert(row: Grant, db: Kysely<Database> = this.db): Promise<void> {
    await db.insertInto('grants').values(row).execute();
  }

  find(id: string): Promise<Grant | undefined> {
    return this.db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first, at most filter.limit. */
  list(filter: GrantListFilter): Promise<Grant[]> {
    let q = this.db.selectFrom('grants').selectAll();
    if (filter.grantee !== undefined) q = q.where('grantee_department_id', '=', filter.grantee);
    if (filter.owner !== undefined) q = q.where('owner_department_id', '=', filter.owner);
    const party = filter.party;
    if (party !== undefined) q = q.where((eb) => eb.or([eb('grantee_department_id', '=', party), eb('owner_department_id', '=', party)]));
    if (filter.unreviewedEmergency) q = q.where('emergency', '=', 1).where('reviewed_at', 'is', null);
    return q.orderBy('created_at', 'desc').limit(filter.limit).execute();
  }

  /** Revokes a grant not revoked yet; false when someone else revoked it first. */
  async revoke(id: string, revocation: { at: number; by: string; reason: string }): Promise<boolean> {
    const result = await this.db.updateTable('grants').set({ revoked_at: revocation.at, revoked_by: revocation.by, revoke_reason: revocation.reason })
      .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async markReviewed(id: string, at: number): Promise<void> {
    await this.db.updateTable('grants').set({ reviewed_at: at }).where('id', '=', id).execute();
  }

  /** Unrevoked grants that ended by upTo and whose end nobody announced yet, oldest end first. */
  endedUnannounced(upTo: number, limit: number): Promise<Grant[]> {
    return this.db.selectFrom('grants').selectAll()
      .where('expiry_announced_at', 'is', null).where('ends_at', '<=', upTo).where('revoked_at', 'is', null)
      .orderBy('ends_at').limit(limit).execute();
  }

  /**
   * Takes the announcement of a grant's end for the caller (inside its transaction): true for exactly one
   * caller cluster-wide, false for every other and for a grant revoked meanwhile.
   */
  async claimExpiry(id: string, at: number, db: Kysely<Database> = this.db): Promise<boolean> {
    const result = await db.updateTable('grants').set({ expiry_announced_at: at })
      .where('id', '=', id).where('expiry_announced_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** request id → grant id, for the requests that led to a grant. */
  async idsByRequest(requestIds: string[]): Promise<Map<string, string>> {
    if (requestIds.length === 0) return new Map();
    const rows = await this.db.selectFrom('grants').select(['id', 'request_id']).where('request_id', 'in', requestIds).execute();
    return new Map(rows.map((r) => [r.request_id!, r.id]));
  }

  /** The state at `at` of each of these grants that still exists. */
  async statesOf(ids: string[], at: number): Promise<Map<string, GrantState>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('grants').select(['id', 'starts_at', 'ends_at', 'revoked_at']).where('id', 'in', ids).execute();
    return new Map(rows.map((g) => [g.id, grantState(g, at)]));
  }
}
