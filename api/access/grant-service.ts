import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { badRequest, conflict, forbidden, notFound } from '../kernel/errors/hub-error.ts';
import type { Database } from '../kernel/db/tables/index.ts';
import type { HubContext } from '../hub/hub-context.ts';
import { assertWindow, targetColumns, validateTarget, type AccessTarget, type TargetColumns } from './access-target.ts';
import { auditActor, isOwnerDecider, ownerDeciderRequired, type Actor } from './actor.ts';
import { grantState, type Grant } from './grant-repository.ts';
import type { NotificationCenter } from './notification-center.ts';

export interface NewGrant {
  requestId: string | null;
  granteeDepartmentId: string;
  columns: TargetColumns;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  emergencyReason?: string;
}

export interface GrantFilter {
  /** 'grantee': grants my department holds; 'owner': grants on my department's cameras; default both. */
  side?: 'grantee' | 'owner';
  state?: 'scheduled' | 'active' | 'ended' | 'revoked';
  /** Emergency grants not yet reviewed. */
  unreviewedEmergency?: boolean;
}

const MIN_REASON = 3;
const MIN_EMERGENCY_REASON = 10;
/** Grant ends one sweep announces at most; the next sweep takes the rest. */
const SWEEP_BATCH = 200;

/**
 * Grants: created by an approval or an emergency self-grant, ended by time or revocation. Ends are
 * published as grant.revoked / grant.expired (ctx.events, which cross cluster nodes) so live and playback
 * sessions built on them are cut and open notification streams hear grant.ended, on every node.
 */
export class GrantService {
  constructor(private readonly ctx: HubContext, private readonly notifications: NotificationCenter) {}

  /**
   * Inserts a grant, inside the caller's transaction when one is given; the grant.created event is then
   * the caller's to send after commit (announceCreated), so nobody hears of a grant that was rolled back.
   */
  async create(grant: NewGrant, db: Kysely<Database> = this.ctx.db): Promise<Grant> {
    const row: Grant = {
      id: randomUUID(), request_id: grant.requestId, grantee_department_id: grant.granteeDepartmentId, ...grant.columns,
      starts_at: grant.startsAt, ends_at: grant.endsAt, revoked_at: null, revoked_by: null, revoke_reason: null,
      emergency: grant.emergencyReason ? 1 : 0, emergency_reason: grant.emergencyReason ?? null, reviewed_at: null,
      created_by: grant.createdBy, created_at: Date.now(), expiry_announced_at: null,
    };
    await this.ctx.grants.insert(row, db);
    if (db === this.ctx.db) this.announceCreated(row);
    return row;
  }

  announceCreated(row: Grant): void {
    this.ctx.events.emit('grant.created', { grantId: row.id, granteeDepartmentId: row.grantee_department_id, ownerDepartmentId: row.owner_department_id, at: row.created_at });
  }

  async get(id: string): Promise<Grant> {
    const grant = await this.ctx.grants.find(id);
    if (!grant) throw notFound('GRANT_NOT_FOUND', `grant ${id} does not exist`);
    return grant;
  }

  /** Grants the actor's department holds or gives (all of them for admins and auditors). */
  async list(actor: Actor, filter: GrantFilter = {}, now = Date.now()): Promise<Grant[]> {
    const seesAll = actor.role === 'admin' || actor.role === 'auditor';
    const mine = actor.departmentId;
    const rows = await this.ctx.grants.list({
      ...(filter.side === 'grantee' ? { grantee: mine } : filter.side === 'owner' ? { owner: mine } : seesAll ? {} : { party: mine }),
      unreviewedEmergency: filter.unreviewedEmergency, limit: 1_000,
    });
    return filter.state ? rows.filter((g) => grantState(g, now) === filter.state) : rows;
  }

  async revoke(actor: Actor, id: string, reason: string | undefined, now = Date.now()): Promise<Grant> {
    const grant = await this.get(id);
    if (!isOwnerDecider(actor, grant.owner_department_id)) {
      await this.ctx.audit.append({ ...auditActor(actor), action: 'access.revoke', result: 'denied', targetType: 'grant', targetId: id, reason: 'not an approver of the owner department' });
      throw ownerDeciderRequired('revoke this grant');
    }
    const why = reason?.trim() ?? '';
    if (why.length < MIN_REASON) throw badRequest('REASON_REQUIRED', 'a revocation needs a reason');
    if (grant.revoked_at !== null) throw conflict('GRANT_ALREADY_REVOKED', 'this grant was revoked already');
    if (Number(grant.ends_at) <= now) throw conflict('GRANT_ENDED', 'this grant has ended already');
    if (!await this.ctx.grants.revoke(id, { at: now, by: actor.id, reason: why })) throw conflict('GRANT_ALREADY_REVOKED', 'this grant was revoked already');
    await this.ctx.audit.append({ ...auditActor(actor), action: 'access.revoke', targetType: 'grant', targetId: id, reason: why, at: now, details: { granteeDepartmentId: grant.grantee_department_id, requestId: grant.request_id } });
    this.ctx.events.emit('grant.revoked', { grantId: id, granteeDepartmentId: grant.grantee_department_id, ownerDepartmentId: grant.owner_department_id, at: now });
    await this.notifications.notifyUsers(await this.holders(grant), 'grant.revoked', `Access to cameras of the owner department was revoked: ${why}`, { grantId: id, requestId: grant.request_id ?? undefined });
    return { ...grant, revoked_at: now, revoked_by: actor.id, revoke_reason: why };
  }

  /** Time-boxed self-grant for duty officers; flagged for review by the owner afterwards. */
  async emergency(actor: Actor, target: AccessTarget, minutes: number, reason: string | undefined, now = Date.now()): Promise<Grant> {
    const user = await this.ctx.db.selectFrom('users').select(['duty_officer', 'disabled']).where('id', '=', actor.id).executeTakeFirst();
    if (!user || user.disabled || user.duty_officer !== 1) {
      await this.ctx.audit.append({ ...auditActor(actor), action: 'access.emergency', result: 'denied', targetType: 'department', targetId: target.ownerDepartmentId, reason: 'not a duty officer' });
      throw forbidden('DUTY_OFFICER_REQUIRED', 'only duty officers may take emergency access');
    }
    const why = reason?.trim() ?? '';
    if (why.length < MIN_EMERGENCY_REASON) throw badRequest('REASON_REQUIRED', `emergency access needs a reason of at least ${MIN_EMERGENCY_REASON} characters`);
    const maxMinutes = this.ctx.config.access.emergencyMaxMinutes;
    if (minutes > maxMinutes) throw badRequest('EMERGENCY_TOO_LONG', `emergency access lasts at most ${maxMinutes} minutes`);
    await validateTarget(this.ctx, target, actor.departmentId);
    const endsAt = now + minutes * 60_000;
    assertWindow(now, endsAt, now, maxMinutes * 60_000, `${maxMinutes} minutes`);
    const grant = await this.create({ requestId: null, granteeDepartmentId: actor.departmentId, columns: targetColumns(target), startsAt: now, endsAt, createdBy: actor.id, emergencyReason: why });
    await this.ctx.audit.append({ ...auditActor(actor), action: 'access.emergency', targetType: 'grant', targetId: grant.id, reason: why, at: now, details: { ownerDepartmentId: target.ownerDepartmentId, scopes: target.scopes, minutes } });
    await this.notifications.notifyApprovers(target.ownerDepartmentId, 'grant.emergency', `Emergency access taken by ${actor.username} for ${minutes} min: ${why}. Review it.`, { grantId: grant.id });
    return grant;
  }

  /** The owner's after-the-fact review of an emergency grant: upheld, or revoked with a note. */
  async review(actor: Actor, id: string, outcome: 'upheld' | 'revoke', note: string | undefined, now = Date.now()): Promise<Grant> {
    const grant = await this.get(id);
    if (grant.emergency !== 1) throw badRequest('NOT_EMERGENCY', 'only emergency grants are reviewed');
    if (!isOwnerDecider(actor, grant.owner_department_id)) throw ownerDeciderRequired('review this emergency grant');
    if (grant.reviewed_at !== null) throw conflict('ALREADY_REVIEWED', 'this emergency grant was reviewed already');
    const text = note?.trim() ?? '';
    if (outcome === 'revoke' && text.length < MIN_REASON) throw badRequest('REASON_REQUIRED', 'revoking on review needs a note');
    let current = grant;
    if (outcome === 'revoke' && grantState(grant, now) !== 'revoked' && grantState(grant, now) !== 'ended') current = await this.revoke(actor, id, text, now);
    await this.ctx.grants.markReviewed(id, now);
    await this.ctx.audit.append({ ...auditActor(actor), action: 'access.emergency.review', targetType: 'grant', targetId: id, reason: text || null, at: now, details: { outcome } });
    await this.notifications.notifyUsers([grant.created_by], 'grant.reviewed', `Your emergency access was reviewed: ${outcome}${text ? ` (${text})` : ''}`, { grantId: id });
    return { ...current, reviewed_at: now };
  }

  /**
   * Announces grants that ended by time and were not announced yet (grant.expired, an audit event, a
   * notification), so sessions built on them are cut. Access itself already ends at ends_at: authorizeCamera
   * checks the time on every decision. Each end is claimed in the database in the transaction that audits
   * it and stores the notification, so it is announced once even with several nodes sweeping, and a node
   * that dies mid-sweep leaves the grants it had not committed to the next sweep.
   */
  async sweepExpired(now = Date.now()): Promise<Grant[]> {
    const announced: Grant[] = [];
    for (const grant of await this.ctx.grants.endedUnannounced(now, SWEEP_BATCH)) {
      const holders = await this.holders(grant);
      const at = Number(grant.ends_at);
      const stored = await this.ctx.db.transaction().execute(async (trx) => {
        if (!await this.ctx.grants.claimExpiry(grant.id, now, trx)) return undefined;
        await this.ctx.audit.appendWithin(trx, {
          action: 'access.expire', targetType: 'grant', targetId: grant.id, departmentId: grant.owner_department_id,
          details: { endsAt: at, granteeDepartmentId: grant.grantee_department_id, requestId: grant.request_id },
        });
        return this.notifications.store(holders, 'grant.expired', 'Your access to cameras of another department has ended', { grantId: grant.id, requestId: grant.request_id ?? undefined }, trx);
      });
      if (!stored) continue;
      announced.push(grant);
      this.ctx.events.emit('grant.expired', { grantId: grant.id, granteeDepartmentId: grant.grantee_department_id, ownerDepartmentId: grant.owner_department_id, at });
      this.notifications.announce(stored);
    }
    return announced;
  }

  /** Who asked for the grant: the requester, or the duty officer of an emergency grant. */
  private async holders(grant: Grant): Promise<string[]> {
    if (!grant.request_id) return [grant.created_by];
    const request = await this.ctx.db.selectFrom('access_requests').select('requester_user_id').where('id', '=', grant.request_id).executeTakeFirst();
    return request ? [request.requester_user_id] : [];
  }
}
