import { randomUUID } from 'node:crypto';
import type { CameraCategory } from '../../api/kernel/db/tables/index.ts';
import type { PassRecordInput } from '../../analytics/vocabulary/pass-record-input.ts';
import type { TestHub } from '../helpers/test-hub.ts';

/** Inserts a camera row (the registry feature is not needed for checkpoint tests). */
export async function addCamera(t: TestHub, departmentId: string, options: { category?: CameraCategory; lat?: number | null; lon?: number | null; name?: string } = {}): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await t.hub.ctx.db.insertInto('cameras').values({
    id, name: options.name ?? `cam-${id.slice(0, 6)}`, department_id: departmentId, category: options.category ?? 'traffic',
    lat: options.lat === undefined ? 39.9 : options.lat, lon: options.lon === undefined ? 116.4 : options.lon, address: null,
    stream_url: 'rtsp://127.0.0.1:8554/test', sub_stream_url: null, snapshot_url: null, onvif_xaddr: null, credentials_enc: null,
    status: 'online', last_seen_at: null, status_changed_at: null, ptz: 0, analytics_enabled: 1, source: 'manual', created_at: now, updated_at: now,
  }).execute();
  return id;
}

/** Grants `scopes` on the given cameras from owner to grantee department, active now. */
export async function addGrant(t: TestHub, owner: string, grantee: string, cameraIds: string[], scopes: string[]): Promise<string> {
  const id = randomUUID();
  const now = Date.now();
  await t.hub.ctx.db.insertInto('grants').values({
    id, request_id: null, grantee_department_id: grantee, owner_department_id: owner, target_kind: 'cameras', camera_ids: JSON.stringify(cameraIds),
    category: null, area: null, scopes: JSON.stringify(scopes), starts_at: now - 1_000, ends_at: now + 3_600_000, revoked_at: null, revoked_by: null,
    revoke_reason: null, emergency: 0, emergency_reason: null, reviewed_at: null, created_by: t.users.admin.id, created_at: now,
  }).execute();
  return id;
}

let counter = 0;

export function pass(cameraId: string, plate: string, passedAt: number, extra: Partial<PassRecordInput> = {}): PassRecordInput {
  counter++;
  return {
    id: `p-${counter}-${randomUUID().slice(0, 8)}`, cameraId, passedAt, plate, plateColour: 'blue', plateConfidence: 0.95,
    charConfidences: [...plate].map(() => 0.9), vehicleClass: 'K33', vehicleColour: 'white', lane: 1, direction: 'north', ...extra,
  };
}
