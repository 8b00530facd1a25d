import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { computeSharingFigures } from '../../api/dashboard/sharing-figures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { addCamera, startAccessHub } from '../access/access-fixture.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const METRICS_TOKEN = randomBytes(30).toString('base64url');

describeEachDatabase('sharing dashboard', (kind) => {
  let t: TestHub;
  let now: number;
  beforeAll(async () => {
    t = await startAccessHub(kind, { overrides: { dashboard: { metricsToken: METRICS_TOKEN } } });
    const { ps, traffic, community } = t.departments;
    now = Date.now();
    const cam = (departmentId: string, category: 'public_security' | 'traffic' | 'community', status: 'online' | 'offline' = 'online') => addCamera(t, { departmentId, category, status });
    const p = [await cam(ps, 'public_security'), await cam(ps, 'public_security'), await cam(ps, 'public_security'), await cam(ps, 'public_security', 'offline')];
    const tr = [await cam(traffic, 'traffic'), await cam(traffic, 'traffic')];
    await cam(community, 'community'); await cam(community, 'community'); await cam(community, 'community', 'offline');
    const grant = (owner: string, grantee: string, target: { camera_ids?: string[]; category?: 'community' }, startsAt: number, endsAt: number, revokedAt: number | null = null) => ({
      id: randomUUID(), request_id: null, grantee_department_id: grantee, owner_department_id: owner,
      target_kind: target.camera_ids ? 'cameras' as const : 'category' as const, camera_ids: target.camera_ids ? JSON.stringify(target.camera_ids) : null,
      category: target.category ?? null, area: null, scopes: '["live"]', starts_at: startsAt, ends_at: endsAt, revoked_at: revokedAt, revoked_by: null,
      revoke_reason: null, emergency: 0, emergency_reason: null, reviewed_at: null, created_by: t.users.admin.id, created_at: now - DAY,
    });
    await t.hub.ctx.db.insertInto('grants').values([
      grant(ps, traffic, { camera_ids: [p[0], p[1]] }, now - HOUR, now + DAY),          // active: shares 2 government cameras
      grant(traffic, ps, { camera_ids: [tr[0]] }, now + HOUR, now + DAY),                // not started
      grant(traffic, ps, { camera_ids: [tr[1]] }, now - HOUR, now + DAY, now - 60_000),  // revoked
      grant(ps, community, { camera_ids: [p[2]] }, now - DAY, now - HOUR),               // ended
      grant(community, ps, { category: 'community' }, now - HOUR, now + DAY),            // active, not government
    ]).execute();
    const request = (owner: string, requester: string, ageMs: number) => ({
      id: randomUUID(), requester_user_id: t.users.psViewer.id, requester_department_id: requester, owner_department_id: owner, target_kind: 'cameras' as const,
      camera_ids: JSON.stringify([tr[0]]), category: null, area: null, scopes: '["live"]', purpose: 'p', legal_basis: 'l', starts_at: now, ends_at: now + DAY,
      status: 'pending' as const, decided_by: null, decided_at: null, decision_reason: null, created_at: now - ageMs,
    });
    await t.hub.ctx.db.insertInto('access_requests').values([request(traffic, ps, 3 * HOUR), request(traffic, ps, HOUR), request(community, traffic, 2 * HOUR)]).execute();
    const view = (user: keyof TestHub['users'], at: number, result: 'ok' | 'denied' = 'ok') => t.hub.ctx.audit.append({
      action: 'play.start', result, userId: t.users[user].id, username: user, departmentId: t.users[user].departmentId, targetType: 'camera', targetId: tr[0], at, details: { sessionId: randomUUID(), protocol: 'hls' },
    });
    await view('psViewer', now - HOUR); await view('psViewer', now - 2 * HOUR); await view('psApprover', now - DAY);
    await view('trafficViewer', now - HOUR); await view('trafficViewer', now - HOUR, 'denied'); await view('trafficViewer', now - 40 * DAY);
  });
  afterAll(async () => { await t?.stop(); });

  it('computes the sharing figures of a known fixture', async () => {
    const { ps, traffic, community } = t.departments;
    const figures = await computeSharingFigures(t.hub.ctx, { now });
    expect(figures.governmentCameras).toEqual({ total: 6, shared: 2, share: 2 / 6 });
    expect(figures.communityCameras).toEqual({ registered: 3, integrated: 2, planned: 3, share: 2 / 3 });
    expect(figures.cameras).toEqual({ total: 9, online: 7, share: 7 / 9 });
    expect(figures.activeGrants.total).toBe(2);
    expect(figures.activeGrants.byGrantee.map((d) => [d.departmentId, d.count]).sort()).toEqual([[ps, 1], [traffic, 1]].sort());
    expect(figures.activeGrants.byOwner.map((d) => [d.departmentId, d.count]).sort()).toEqual([[community, 1], [ps, 1]].sort());
    expect(figures.pendingRequests.count).toBe(3);
    expect(figures.pendingRequests.oldestAgeMs).toBe(3 * HOUR);
    expect(figures.pendingRequests.byOwner).toEqual([
      { departmentId: traffic, departmentName: 'Traffic Police', count: 2, oldestAgeMs: 3 * HOUR },
      { departmentId: community, departmentName: 'Riverside Community', count: 1, oldestAgeMs: 2 * HOUR },
    ]);
    expect(figures.views.total).toBe(4);
    expect(figures.views.byDepartment).toEqual([
      { departmentId: ps, departmentName: 'Public Security Bureau', count: 3 },
      { departmentId: traffic, departmentName: 'Traffic Police', count: 1 },
    ]);
    const planned = await computeSharingFigures(t.hub.ctx, { now, communityCamerasPlanned: 10 });
    expect(planned.communityCameras).toEqual({ registered: 3, integrated: 2, planned: 10, share: 0.2 });
  });

  it('serves the figures as JSON to logged-in users', async () => {
    expect((await t.api('/api/v1/dashboard/sharing')).status).toBe(401);
    const response = await t.api('/api/v1/dashboard/sharing', { user: t.users.trafficViewer });
    expect(response.status).toBe(200);
    expect(response.body.governmentCameras).toEqual({ total: 6, shared: 2, share: 2 / 6 });
    expect(response.body.pendingRequests.count).toBe(3);
    expect(response.body.pendingRequests.oldestAgeMs).toBeGreaterThanOrEqual(3 * HOUR);
  });

  it('serves Prometheus metrics to the metrics token, admins and auditors only', async () => {
    const get = (token?: string) => fetch(`${t.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    expect((await get()).status).toBe(401);
    expect((await get('x'.repeat(40))).status).toBe(401);
    expect((await get(t.users.psApprover.token)).status).toBe(401);
    for (const token of [METRICS_TOKEN, t.users.auditor.token, t.users.admin.token]) {
      const response = await get(token);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain('# TYPE hub_government_cameras gauge\nhub_government_cameras 6\n');
      expect(text).toContain('\nhub_government_cameras_shared 2\n');
      expect(text).toContain(`hub_active_grants{department_id="${t.departments.traffic}",department="Traffic Police",side="grantee"} 1`);
      expect(text).toContain(`hub_pending_access_requests{department_id="${t.departments.traffic}",department="Traffic Police"} 2`);
      expect(text).toContain(`hub_camera_views{department_id="${t.departments.ps}",department="Public Security Bureau"} 3`);
    }
  });
});
