import type { Selectable } from 'kysely';
import type { AccessRequestsTable, GrantsTable } from '../kernel/db/tables/index.ts';
import { targetView } from './access-target.ts';
import { grantState } from './grant-repository.ts';

const num = (value: number | null) => (value === null ? null : Number(value));

/** What a grant or a request covers and when: the TargetView fields of access-schemas.ts. */
const targetAndWindow = (row: Selectable<GrantsTable> | Selectable<AccessRequestsTable>) => ({
  ...targetView(row),
  startsAt: Number(row.starts_at),
  endsAt: Number(row.ends_at),
});

export function grantView(grant: Selectable<GrantsTable>, now = Date.now()) {
  return {
    id: grant.id,
    requestId: grant.request_id,
    granteeDepartmentId: grant.grantee_department_id,
    ...targetAndWindow(grant),
    state: grantState(grant, now),
    revokedAt: num(grant.revoked_at),
    revokedBy: grant.revoked_by,
    revokeReason: grant.revoke_reason,
    emergency: grant.emergency === 1,
    emergencyReason: grant.emergency_reason,
    reviewedAt: num(grant.reviewed_at),
    createdBy: grant.created_by,
    createdAt: Number(grant.created_at),
  };
}

export function requestView(request: Selectable<AccessRequestsTable>, grantId: string | null = null) {
  return {
    id: request.id,
    requesterUserId: request.requester_user_id,
    requesterDepartmentId: request.requester_department_id,
    ...targetAndWindow(request),
    purpose: request.purpose,
    legalBasis: request.legal_basis,
    status: request.status,
    decidedBy: request.decided_by,
    decidedAt: num(request.decided_at),
    decisionReason: request.decision_reason,
    createdAt: Number(request.created_at),
    grantId,
  };
}
