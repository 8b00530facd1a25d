import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../../api/kernel/auth/token-service.ts';
import type { CameraCategory, CameraStatus } from '../../api/kernel/db/tables/index.ts';
import type { FeatureName } from '../../api/hub/hub-services.ts';
import type { DatabaseKind } from '../helpers/databases.ts';
import { startTestHub, type StartTestHubOptions, type TestHub, type TestUser } from '../helpers/test-hub.ts';

/** The features these tests exercise, without other teams' features that are still in progress. */
export const ACCESS_TEST_FEATURES: FeatureName[] = ['auth', 'directory', 'access', 'audit', 'dashboard'];

export function startAccessHub(kind: DatabaseKind, options: StartTestHubOptions = {}): Promise<TestHub> {
  return startTestHub(kind, { features: ACCESS_TEST_FEATURES, ...options });
}

export interface CameraSpec {
  departmentId: string;
  category?: CameraCategory;
  status?: CameraStatus;
  lat?: number;
  lon?: number;
  name?: string;
}

/** Inserts a camera row as the registry would (stream URL without credentials). */
export async function addCamera(t: TestHub, spec: CameraSpec): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await t.hub.ctx.db.insertInto('cameras').values({
    id, name: spec.name ?? `cam-${id.slice(0, 6)}`, department_id: spec.departmentId, category: spec.category ?? 'public_security',
    lat: spec.lat ?? null, lon: spec.lon ?? null, address: null, stream_url: `rtsp://127.0.0.1:8554/${id}`, sub_stream_url: null,
    snapshot_url: null, onvif_xaddr: null, credentials_enc: null, status: spec.status ?? 'online', last_seen_at: now, status_changed_at: now,
    ptz: 0, analytics_enabled: 0, source: 'manual', created_at: now, updated_at: now,
  }).execute();
  return id;
}

export function authUser(user: TestUser, dutyOfficer = false): AuthUser {
  return { id: user.id, username: user.username, departmentId: user.departmentId, role: user.role, dutyOfficer };
}

/** A request from `requester` to `ownerDepartmentId`, approved as is by `approver`; returns both ids. */
export async function requestAndApprove(
  t: TestHub,
  requester: TestUser,
  approver: TestUser,
  body: Record<string, unknown>,
  approval: Record<string, unknown> = {},
): Promise<{ requestId: string; grantId: string; grant: any }> {
  const created = await t.api('/api/v1/access/requests', { user: requester, body: { purpose: 'incident follow-up', legalBasis: 'Police Law art. 6', ...body } });
  if (created.status !== 201) throw new Error(`request failed: ${created.status} ${JSON.stringify(created.body)}`);
  const approved = await t.api(`/api/v1/access/requests/${created.body.id}/approve`, { user: approver, body: approval });
  if (approved.status !== 200) throw new Error(`approve failed: ${approved.status} ${JSON.stringify(approved.body)}`);
  return { requestId: created.body.id, grantId: approved.body.grant.id, grant: approved.body.grant };
}
