import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { badRequest, conflict, forbidden, notFound } from '../kernel/errors/hub-error.ts';
import type { AccessRequestsTable, Database, GrantsTable } from '../kernel/db/tables/index.ts';
import type { HubContext } from '../hub/hub-context.ts';
import { assertWindow, narrowTarget, targetColumns, validateTarget, type AccessTarget, type Narrowing } from './access-target.ts';
import { auditActor, isOwnerDecider, ownerDeciderRequired, type Actor } from './actor.ts';
import type { GrantService } from './grant-service.ts';
import type { NotificationCenter } from './notification-center.ts';

type AccessRequest = Selectable<AccessRequestsTable>;

export interface NewRequest extends AccessTarget {
  purpose: string;
  legalBasis: string;
  startsAt?: number;
  endsAt: number;
}

const DAY_MS = 86_400_000;

/** The request → decision half of the workflow: create, list, approve (narrowing only), reject, cancel. */
export class AccessRequestService {
  constructor(private readonly ctx: HubContext, private readonly grants: GrantService, private readonly notifications: NotificationCenter) {}

  async create(actor: Actor, input: NewRequest, now = Date.now()): Promise<AccessRequest> {
    if (actor.role === 'auditor') throw forbidden('ROLE_REQUIRED', 'auditors read the trail; they do not request camera access');
    await validateTarget(this.ctx, input, actor.departmentId);
    const startsAt = input.startsAt ?? now;
    const maxDays = this.ctx.config.access.maxGrantDays;
    assertWindow(startsAt, input.endsAt, now, maxDays * DAY_MS, `${maxDays} days`);
    if (input.purpose.trim().length < 3) throw badRequest('PURPOSE_REQUIRED', 'say what the access is for');
    if (input.legalBasis.trim().length < 3) throw badRequest('LEGAL_BASIS_REQUIRED', 'name the legal basis of the access');
    const row: AccessRequest = {
      id: randomUUID(), requester_user_id: actor.id, requester_department_id: actor.departmentId, ...targetColumns(input),
      purpose: input.purpose.trim(), legal_basis: input.legalBasis.trim(), starts_at: startsAt, ends_at: input.endsAt,
      status: 'pending', decided_by: null, decided_at: null, decision_reason: null, created_at: now,
    };
    await this.ctx.db.insertInto('access_requests').values(row).execute();
    await this.ctx.audit.append({
      ...auditActor(actor), action: 'access.request', targetType: 'access_request', targetId: row.id, at: now,
      details: { ownerDepartmentId: row.owner_department_id, targetKind: row.target_kind, scopes: JSON.parse(row.scopes), startsAt, endsAt: row.ends_at, purpose: row.purpose, legalBasis: row.legal_basis },
    });
    await this.notifications.notifyApprovers(row.owner_department_id, 'request.created', `${actor.username} asks for access to your cameras: ${row.purpose}`, { requestId: row.id });
    return row;
  }

  async get(actor: Actor, id: string): Promise<AccessRequest> {
    const request = await this.ctx.db.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
    const visible = request && (actor.role === 'admin' || actor.role === 'auditor'
      || request.requester_department_id === actor.departmentId || request.owner_department_id === actor.departmentId);
    if (!request || !visible) throw notFound('REQUEST_NOT_FOUND', `access request ${id} does not exist`);
    return request;
  }

  /** Requests the actor made. */
  listMine(actor: Actor, status?: AccessRequest['status']): Promise<AccessRequest[]> {
    let query = this.ctx.db.selectFrom('access_requests').selectAll().where('requester_user_id', '=', actor.id);
    if (status) query = query.where('status', '=', status);
    return query.orderBy('created_at', 'desc').limit(1_000).execute();
  }

  /** Requests waiting for the actor's department (all departments for admins), oldest first. */
  listPending(actor: Actor): Promise<AccessRequest[]> {
    let query = this.ctx.db.selectFrom('access_requests').selectAll().where('status', '=', 'pending');
    if (actor.role !== 'admin') query = query.where('owner_department_id', '=', actor.departmentId);
    return query.orderBy('created_at').limit(1_000).execute();
  }

  async approve(actor: Actor, id: string, narrowing: Narrowing & { reason?: string }, now = Date.now()): Promise<{ request: AccessRequest; grant: Selectable<GrantsTable> }> {
    const request = await this.pendingForDecision(actor, id, 'approve');
    if (Number(request.ends_at) <= now) throw conflict('REQUEST_EXPIRED', 'the requested window has already ended; the requester must ask again');
    const { columns, startsAt, endsAt } = await narrowTarget(this.ctx.cameras, request, narrowing);
    if (endsAt <= now) throw badRequest('WINDOW_INVALID', 'the approved window has already ended');
    const reason = narrowing.reason?.trim() || null;
    // The decision and its grant commit together: no approved request without a grant, or the reverse.
    const grant = await this.ctx.db.transaction().execute(async (trx) => {
      await this.decide(request, 'approved', actor, reason, now, trx);
      return this.grants.create({ requestId: id, granteeDepartmentId: request.requester_department_id, columns, startsAt, endsAt, createdBy: actor.id }, trx);
    });
    this.grants.announceCreated(grant);
    const narrowed = columns.scopes !== request.scopes || columns.target_kind !== request.target_kind || columns.camera_ids !== request.camera_ids
      || startsAt !== Number(request.starts_at) || endsAt !== Number(request.ends_at);
    await this.ctx.audit.append({
      ...auditActor(actor), action: 'access.approve', targetType: 'access_request', targetId: id, reason, at: now,
      details: { grantId: grant.id, granteeDepartmentId: grant.grantee_department_id, scopes: JSON.parse(columns.scopes), startsAt, endsAt, narrowed },
    });
    await this.notifications.notifyUsers([request.requester_user_id], 'request.approved', `Your access request was approved${narrowed ? ' (narrowed)' : ''}`, { requestId: id, grantId: grant.id });
    return { request: { ...request, status: 'approved', decided_by: actor.id, decided_at: now, decision_reason: reason }, grant };
  }

  async reject(actor: Actor, id: string, reason: string | undefined, now = Date.now()): Promise<AccessRequest> {
    const request = await this.pendingForDecision(actor, id, 'reject');
    const why = reason?.trim() ?? '';
    if (why.length < 3) throw badRequest('REASON_REQUIRED', 'a rejection needs a reason the requester can act on');
    await this.decide(request, 'rejected', actor, why, now);
    await this.ctx.audit.append({ ...auditActor(actor), action: 'access.reject', targetType: 'access_request', targetId: id, reason: why, at: now });
    await this.notifications.notifyUsers([request.requester_user_id], 'request.rejected', `Your access request was rejected: ${why}`, { requestId: id });
    return { ...request, status: 'rejected', decided_by: actor.id, decided_at: now, decision_reason: why };
  }

  /** The requester (or an admin) withdraws a pending request. */
  async cancel(actor: Actor, id: string, now = Date.now()): Promise<AccessRequest> {
    const request = await this.get(actor, id);
    if (request.requester_user_id !== actor.id && actor.role !== 'admin') throw forbidden('NOT_REQUESTER', 'only the requester may cancel a request');
    if (request.status !== 'pending') throw conflict('REQUEST_NOT_PENDING', `this request is ${request.status} already`);
    await this.decide(request, 'cancelled', actor, null, now);
    await this.ctx.audit.append({ ...auditActor(actor), action: 'access.cancel', targetType: 'access_request', targetId: id, at: now });
    await this.notifications.notifyApprovers(request.owner_department_id, 'request.cancelled', `${actor.username} withdrew an access request`, { requestId: id });
    return { ...request, status: 'cancelled', decided_by: actor.id, decided_at: now };
  }

  async grantIdsOf(requestIds: string[]): Promise<Map<string, string>> {
    return this.ctx.grants.idsByRequest(requestIds);
  }

  private async pendingForDecision(actor: Actor, id: string, verb: string): Promise<AccessRequest> {
    const request = await this.get(actor, id);
    if (!isOwnerDecider(actor, request.owner_department_id)) {
      await this.ctx.audit.append({ ...auditActor(actor), action: `access.${verb}`, result: 'denied', targetType: 'access_request', targetId: id, reason: 'not an approver of the owner department' });
      throw ownerDeciderRequired(`${verb} this request`);
    }
    if (request.status !== 'pending') throw conflict('REQUEST_NOT_PENDING', `this request is ${request.status} already`);
    return request;
  }

  /** Conditional update: two approvers deciding at once cannot both win. */
  private async decide(request: AccessRequest, status: AccessRequest['status'], actor: Actor, reason: string | null, now: number, db: Kysely<Database> = this.ctx.db): Promise<void> {
    const result = await db.updateTable('access_requests').set({ status, decided_by: actor.id, decided_at: now, decision_reason: reason })
      .where('id', '=', request.id).where('status', '=', 'pending').executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw conflict('REQUEST_NOT_PENDING', 'this request was decided meanwhile');
  }
}
