import type { AuthUser } from '../kernel/auth/token-service.ts';
import { forbidden } from '../kernel/errors/hub-error.ts';

/** The user behind an action, with the client address the audit trail records. */
export type Actor = Pick<AuthUser, 'id' | 'username' | 'departmentId' | 'role'> & { clientIp?: string };

/** The actor fields of an audit event. */
export function auditActor(actor: Actor) {
  return { userId: actor.id, username: actor.username, departmentId: actor.departmentId, clientIp: actor.clientIp ?? null };
}

/** Owners decide on their cameras: an approver of the owner department, or an admin. */
export function isOwnerDecider(actor: Actor, ownerDepartmentId: string): boolean {
  return actor.role === 'admin' || (actor.role === 'approver' && actor.departmentId === ownerDepartmentId);
}

export function ownerDeciderRequired(action: string) {
  return forbidden('OWNER_APPROVER_REQUIRED', `only an approver of the owning department or an admin may ${action}`);
}
