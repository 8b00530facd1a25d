import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { addCamera, requestAndApprove, startAccessHub } from './access-fixture.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeEachDatabase('access request workflow', (kind) => {
  let t: TestHub;
  let trafficCams: string[];
  let psCam: string;
  const base = () => ({ purpose: 'hit-and-run investigation', legalBasis: 'Criminal Procedure Law art. 52', ownerDepartmentId: t.departments.traffic });
  beforeAll(async () => {
    t = await startAccessHub(kind, { overrides: { access: { maxGrantDays: 30 } } });
    trafficCams = [await addCamera(t, { departmentId: t.departments.traffic, category: 'traffic' }), await addCamera(t, { departmentId: t.departments.traffic, category: 'traffic' }), await addCamera(t, { departmentId: t.departments.traffic, category: 'public_security' })];
    psCam = await addCamera(t, { departmentId: t.departments.ps });
  });
  afterAll(async () => { await t?.stop(); });

  it('refuses invalid requests with stable codes', async () => {
    const post = (body: Record<string, unknown>, user = t.users.psViewer) => t.api('/api/v1/access/requests', { user, body: { ...base(), targetKind: 'cameras', cameraIds: [trafficCams[0]], scopes: ['live'], endsAt: Date.now() + HOUR, ...body } });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ ownerDepartmentId: t.departments.ps, cameraIds: [psCam] }, 400, 'ACCESS_OWN_DEPARTMENT'],
      [{ cameraIds: [psCam] }, 400, 'CAMERA_NOT_OWNED'],
      [{ cameraIds: ['does-not-exist'] }, 400, 'CAMERA_NOT_OWNED'],
      [{ ownerDepartmentId: 'nope' }, 400, 'DEPARTMENT_UNKNOWN'],
      [{ scopes: ['live', 'record'] }, 400, 'VALIDATION_FAILED'],
      [{ scopes: [] }, 400, 'VALIDATION_FAILED'],
      [{ startsAt: Date.now() + 2 * HOUR, endsAt: Date.now() + HOUR }, 400, 'WINDOW_INVALID'],
      [{ endsAt: Date.now() + 31 * DAY }, 400, 'WINDOW_TOO_LONG'],
      [{ targetKind: 'category' }, 400, 'TARGET_INVALID'],
      [{ targetKind: 'area', cameraIds: undefined, area: { minLat: 32, minLon: 121, maxLat: 31, maxLon: 122 } }, 400, 'TARGET_INVALID'],
      [{ legalBasis: '   ' }, 400, 'LEGAL_BASIS_REQUIRED'],
      [{ extra: 1 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const result = await post(body);
      expect({ body, status: result.status, code: result.body.code }).toEqual({ body, status, code });
    }
    expect((await post({}, t.users.auditor)).status).toBe(403);
    expect((await t.api('/api/v1/access/requests', { body: base() })).status).toBe(401);
  });

  it('lists pending requests for the owner’s approvers and notifies them; approval narrows only', async () => {
    const created = await t.api('/api/v1/access/requests', { user: t.users.psViewer, body: { ...base(), targetKind: 'cameras', cameraIds: trafficCams.slice(0, 2), scopes: ['live', 'snapshot'], endsAt: Date.now() + DAY } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'pending', requesterDepartmentId: t.departments.ps, scopes: ['live', 'snapshot'], grantId: null });
    const id = created.body.id;
    const pending = await t.api('/api/v1/access/requests/pending', { user: t.users.trafficApprover });
    expect(pending.body.map((r: any) => r.id)).toContain(id);
    expect((await t.api('/api/v1/access/requests/pending', { user: t.users.communityApprover })).body.map((r: any) => r.id)).not.toContain(id);
    expect((await t.api('/api/v1/access/requests/pending', { user: t.users.trafficViewer })).status).toBe(403);
    const inbox = await t.api('/api/v1/access/notifications', { user: t.users.trafficApprover });
    expect(inbox.body.some((n: any) => n.kind === 'request.created' && n.requestId === id)).toBe(true);

    // A third department does not even see the request; the requester's own approver may not decide,
    // and that attempt is audited as denied.
    const foreign = await t.api(`/api/v1/access/requests/${id}/approve`, { user: t.users.communityApprover, body: {} });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'REQUEST_NOT_FOUND']);
    const ownDept = await t.api(`/api/v1/access/requests/${id}/approve`, { user: t.users.psApprover, body: {} });
    expect([ownDept.status, ownDept.body.code]).toEqual([403, 'OWNER_APPROVER_REQUIRED']);
    const denied = await t.hub.ctx.db.selectFrom('audit_events').select(['user_id', 'result']).where('action', '=', 'access.approve').where('target_id', '=', id).execute();
    expect(denied).toEqual([{ user_id: t.users.psApprover.id, result: 'denied' }]);

    const approve = (body: Record<string, unknown>) => t.api(`/api/v1/access/requests/${id}/approve`, { user: t.users.trafficApprover, body });
    for (const widening of [{ scopes: ['live', 'ptz'] }, { cameraIds: [trafficCams[2]] }, { endsAt: created.body.endsAt + 1 }, { startsAt: created.body.startsAt - 1 }]) {
      const refused = await approve(widening);
      expect({ widening, status: refused.status, code: refused.body.code }).toEqual({ widening, status: 400, code: 'APPROVAL_WIDENS' });
    }
    const endsAt = created.body.endsAt - HOUR;
    const ok = await approve({ cameraIds: [trafficCams[1]], scopes: ['snapshot'], endsAt, reason: 'snapshots suffice' });
    expect(ok.status).toBe(200);
    expect(ok.body.request).toMatchObject({ status: 'approved', decisionReason: 'snapshots suffice', grantId: ok.body.grant.id });
    expect(ok.body.grant).toMatchObject({ granteeDepartmentId: t.departments.ps, targetKind: 'cameras', cameraIds: [trafficCams[1]], scopes: ['snapshot'], endsAt, state: 'active', emergency: false });
    expect((await approve({})).body.code).toBe('REQUEST_NOT_PENDING');

    const mine = await t.api('/api/v1/access/notifications?unreadOnly=true', { user: t.users.psViewer });
    const note = mine.body.find((n: any) => n.kind === 'request.approved' && n.requestId === id);
    expect(note.grantId).toBe(ok.body.grant.id);
    expect((await t.api(`/api/v1/access/notifications/${note.id}/read`, { user: t.users.psViewer, method: 'POST' })).status).toBe(200);
    expect((await t.api('/api/v1/access/notifications?unreadOnly=true', { user: t.users.psViewer })).body.map((n: any) => n.id)).not.toContain(note.id);
    expect((await t.api(`/api/v1/access/notifications/${note.id}/read`, { user: t.users.trafficViewer, method: 'POST' })).status).toBe(404);

    // Both sides see the grant; a third department does not.
    expect((await t.api('/api/v1/access/grants?side=grantee', { user: t.users.psViewer })).body.map((g: any) => g.id)).toContain(ok.body.grant.id);
    expect((await t.api('/api/v1/access/grants?side=owner&state=active', { user: t.users.trafficApprover })).body.map((g: any) => g.id)).toContain(ok.body.grant.id);
    expect((await t.api(`/api/v1/access/grants/${ok.body.grant.id}`, { user: t.users.communityApprover })).status).toBe(404);
  });

  it('category requests can be narrowed to cameras of that category only', async () => {
    const { grant } = await requestAndApprove(t, t.users.psViewer, t.users.trafficApprover,
      { ownerDepartmentId: t.departments.traffic, targetKind: 'category', category: 'traffic', scopes: ['events'], endsAt: Date.now() + HOUR },
      { cameraIds: [trafficCams[0]] });
    expect(grant).toMatchObject({ targetKind: 'cameras', cameraIds: [trafficCams[0]], category: null });
    await expect(requestAndApprove(t, t.users.psViewer, t.users.trafficApprover,
      { ownerDepartmentId: t.departments.traffic, targetKind: 'category', category: 'traffic', scopes: ['events'], endsAt: Date.now() + HOUR },
      { cameraIds: [trafficCams[2]] })).rejects.toThrow(/APPROVAL_WIDENS/);
  });

  it('rejection needs a reason and notifies the requester; cancel is for the requester', async () => {
    const create = () => t.api('/api/v1/access/requests', { user: t.users.psViewer, body: { ...base(), targetKind: 'cameras', cameraIds: [trafficCams[0]], scopes: ['ptz'], endsAt: Date.now() + HOUR } });
    const first = (await create()).body.id;
    for (const body of [{}, { reason: '  ' }]) {
      const refused = await t.api(`/api/v1/access/requests/${first}/reject`, { user: t.users.trafficApprover, body });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('REASON_REQUIRED');
    }
    const rejected = await t.api(`/api/v1/access/requests/${first}/reject`, { user: t.users.trafficApprover, body: { reason: 'PTZ is reserved for traffic control' } });
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionReason: 'PTZ is reserved for traffic control' });
    const notes = await t.api('/api/v1/access/notifications', { user: t.users.psViewer });
    expect(notes.body.some((n: any) => n.kind === 'request.rejected' && n.requestId === first && n.message.includes('PTZ is reserved'))).toBe(true);

    const second = (await create()).body.id;
    expect((await t.api(`/api/v1/access/requests/${second}/cancel`, { user: t.users.psApprover, method: 'POST' })).body.code).toBe('NOT_REQUESTER');
    const cancelled = await t.api(`/api/v1/access/requests/${second}/cancel`, { user: t.users.psViewer, method: 'POST' });
    expect(cancelled.body.status).toBe('cancelled');
    expect((await t.api(`/api/v1/access/requests/${second}/approve`, { user: t.users.trafficApprover, body: {} })).body.code).toBe('REQUEST_NOT_PENDING');
    const mine = await t.api('/api/v1/access/requests/mine?status=cancelled', { user: t.users.psViewer });
    expect(mine.body.map((r: any) => r.id)).toEqual([second]);

    const actions = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'result', 'target_id', 'reason']).where('target_id', 'in', [first, second]).orderBy('seq').execute();
    expect(actions.map((a) => `${a.action}:${a.result}`)).toEqual(['access.request:ok', 'access.reject:ok', 'access.request:ok', 'access.cancel:ok']);
  });
});
