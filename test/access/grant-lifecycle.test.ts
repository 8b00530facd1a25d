import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { AccessServices } from '../../api/access/access-feature.ts';
import { authorizeCamera } from '../../api/access/camera-access.ts';
import type { HubEventMap } from '../../api/kernel/events/hub-events.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub, TestUser } from '../helpers/test-hub.ts';
import { addCamera, authUser, requestAndApprove, startAccessHub } from './access-fixture.ts';

const MINUTE = 60_000;

/** Reads a Server-Sent Events stream with the bearer header (as a browser does with fetch). */
async function openStream(t: TestHub, user: TestUser) {
  const controller = new AbortController();
  const response = await fetch(`${t.url}/api/v1/access/notifications/stream`, { headers: { authorization: `Bearer ${user.token}` }, signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ event: string; data: any }> = [];
  let buffer = '';
  const done = (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  return { response, events, done, close: () => controller.abort() };
}

describeEachDatabase('grant lifecycle', (kind) => {
  let t: TestHub;
  let camera: string;
  let access: AccessServices;
  beforeAll(async () => {
    t = await startAccessHub(kind, { overrides: { access: { emergencyMaxMinutes: 30, expirySweepSeconds: 1 } } });
    camera = await addCamera(t, { departmentId: t.departments.traffic, category: 'traffic' });
    access = t.hub.services.access!;
  });
  afterAll(async () => { await t?.stop(); });

  it('revocation: owner approver or admin, with a reason, once; the grantee stream hears grant.ended', async () => {
    const { grantId } = await requestAndApprove(t, t.users.psViewer, t.users.trafficApprover, { ownerDepartmentId: t.departments.traffic, targetKind: 'cameras', cameraIds: [camera], scopes: ['live'], endsAt: Date.now() + 60 * MINUTE });
    const stream = await openStream(t, t.users.psViewer);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const revoke = (user: TestUser, body: Record<string, unknown>) => t.api(`/api/v1/access/grants/${grantId}/revoke`, { user, body });
    expect((await revoke(t.users.psApprover, { reason: 'mine now' })).body.code).toBe('OWNER_APPROVER_REQUIRED');
    expect((await revoke(t.users.trafficViewer, { reason: 'viewer' })).status).toBe(403);
    expect((await revoke(t.users.trafficApprover, {})).body.code).toBe('REASON_REQUIRED');
    const ok = await revoke(t.users.admin, { reason: 'court order lifted' });
    expect(ok.body).toMatchObject({ state: 'revoked', revokeReason: 'court order lifted', revokedBy: t.users.admin.id });
    expect((await revoke(t.users.trafficApprover, { reason: 'again' })).body.code).toBe('GRANT_ALREADY_REVOKED');
    await vi.waitFor(() => {
      expect(stream.events.find((e) => e.event === 'grant.ended')?.data).toEqual({ grantId, reason: 'revoked', at: ok.body.revokedAt });
      expect(stream.events.some((e) => e.event === 'notification' && e.data.kind === 'grant.revoked' && e.data.grantId === grantId)).toBe(true);
    }, { timeout: 10_000, interval: 50 });
    stream.close();
    await stream.done;
  });

  it('expiry: the sweep announces grants that just ended, once, and not revoked ones', async () => {
    const expired: Array<HubEventMap['grant.expired'][0]> = [];
    const listener = (event: HubEventMap['grant.expired'][0]) => expired.push(event);
    t.hub.ctx.events.on('grant.expired', listener);
    try {
      const endsAt = Date.now() + 30 * MINUTE;
      const { grantId } = await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, { ownerDepartmentId: t.departments.community, targetKind: 'category', category: 'community', scopes: ['events'], endsAt });
      const revoked = await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, { ownerDepartmentId: t.departments.community, targetKind: 'category', category: 'community', scopes: ['live'], endsAt });
      expect((await t.api(`/api/v1/access/grants/${revoked.grantId}/revoke`, { user: t.users.communityApprover, body: { reason: 'not needed' } })).status).toBe(200);
      await access.grants.sweepExpired(endsAt - 1);
      expect(expired.filter((e) => e.grantId === grantId)).toEqual([]);
      await access.grants.sweepExpired(endsAt);
      await access.grants.sweepExpired(endsAt + MINUTE);
      expect(expired.filter((e) => e.grantId === revoked.grantId)).toEqual([]);
      expect(expired.filter((e) => e.grantId === grantId)).toEqual([{ grantId, granteeDepartmentId: t.departments.traffic, ownerDepartmentId: t.departments.community, at: endsAt }]);
      const notes = await access.notifications.list(t.users.trafficViewer.id);
      expect(notes.filter((n) => n.kind === 'grant.expired' && n.grantId === grantId)).toHaveLength(1);
    } finally {
      t.hub.ctx.events.off('grant.expired', listener);
    }
  });

  it('expiry runs on its own timer and reaches open streams', async () => {
    const cam = await addCamera(t, { departmentId: t.departments.community, category: 'community' });
    const stream = await openStream(t, t.users.trafficViewer);
    // The window is short on purpose: the hub's sweep (every second here) must announce its end by itself.
    const { grantId } = await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, { ownerDepartmentId: t.departments.community, targetKind: 'cameras', cameraIds: [cam], scopes: ['snapshot'], endsAt: Date.now() + 1_500 });
    await vi.waitFor(() => {
      expect(stream.events.some((e) => e.event === 'grant.ended' && e.data.grantId === grantId && e.data.reason === 'expired')).toBe(true);
    }, { timeout: 20_000, interval: 100 });
    expect((await authorizeCamera(t.hub.ctx, authUser(t.users.trafficViewer), cam, 'snapshot')).allowed).toBe(false);
    stream.close();
    await stream.done;
  });

  it('emergency self-grant: duty officers only, with a reason, time-boxed, flagged and reviewed by the owner', async () => {
    const body = { ownerDepartmentId: t.departments.traffic, targetKind: 'cameras', cameraIds: [camera], scopes: ['live', 'ptz'], minutes: 15, reason: 'armed robbery in progress at the junction' };
    const take = (user: TestUser, over: Record<string, unknown> = {}) => t.api('/api/v1/access/emergency', { user, body: { ...body, ...over } });
    expect((await take(t.users.trafficViewer, { ownerDepartmentId: t.departments.ps })).body.code).toBe('DUTY_OFFICER_REQUIRED');
    expect((await take(t.users.psApprover)).body.code).toBe('DUTY_OFFICER_REQUIRED');
    expect((await take(t.users.psViewer, { reason: undefined })).body.code).toBe('REASON_REQUIRED');
    expect((await take(t.users.psViewer, { reason: 'urgent' })).body.code).toBe('REASON_REQUIRED');
    expect((await take(t.users.psViewer, { minutes: 31 })).body.code).toBe('EMERGENCY_TOO_LONG');
    expect((await take(t.users.psViewer, { cameraIds: ['not-there'] })).body.code).toBe('CAMERA_NOT_OWNED');
    const before = Date.now();
    const taken = await take(t.users.psViewer);
    expect(taken.status).toBe(201);
    expect(taken.body).toMatchObject({ emergency: true, emergencyReason: body.reason, state: 'active', requestId: null, reviewedAt: null, scopes: ['live', 'ptz'] });
    expect(taken.body.endsAt - taken.body.startsAt).toBe(15 * MINUTE);
    expect(taken.body.startsAt).toBeGreaterThanOrEqual(before);
    const grantId = taken.body.id;
    const decision = await authorizeCamera(t.hub.ctx, authUser(t.users.psViewer), camera, 'ptz');
    expect(decision).toMatchObject({ allowed: true, grantId, expiresAt: taken.body.endsAt });
    expect((await authorizeCamera(t.hub.ctx, authUser(t.users.psViewer), camera, 'live', taken.body.endsAt)).allowed).toBe(false);

    const toReview = await t.api('/api/v1/access/grants?side=owner&unreviewedEmergency=true', { user: t.users.trafficApprover });
    expect(toReview.body.map((g: any) => g.id)).toEqual([grantId]);
    const notes = await t.api('/api/v1/access/notifications', { user: t.users.trafficApprover });
    expect(notes.body.some((n: any) => n.kind === 'grant.emergency' && n.grantId === grantId)).toBe(true);

    const review = (user: TestUser, reviewBody: Record<string, unknown>) => t.api(`/api/v1/access/grants/${grantId}/review`, { user, body: reviewBody });
    expect((await review(t.users.psApprover, { outcome: 'upheld' })).body.code).toBe('OWNER_APPROVER_REQUIRED');
    expect((await review(t.users.trafficApprover, { outcome: 'revoke' })).body.code).toBe('REASON_REQUIRED');
    const reviewed = await review(t.users.trafficApprover, { outcome: 'revoke', note: 'the incident was closed an hour ago' });
    expect(reviewed.body).toMatchObject({ state: 'revoked', revokeReason: 'the incident was closed an hour ago' });
    expect(reviewed.body.reviewedAt).toBeTypeOf('number');
    expect((await review(t.users.trafficApprover, { outcome: 'upheld' })).body.code).toBe('ALREADY_REVIEWED');
    expect((await authorizeCamera(t.hub.ctx, authUser(t.users.psViewer), camera, 'ptz')).allowed).toBe(false);
    expect((await t.api('/api/v1/access/grants?side=owner&unreviewedEmergency=true', { user: t.users.trafficApprover })).body).toEqual([]);

    const actions = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'result', 'user_id']).where('action', 'like', 'access.emergency%').orderBy('seq').execute();
    expect(actions.map((a) => `${a.action}:${a.result}`)).toEqual(['access.emergency:denied', 'access.emergency:denied', 'access.emergency:ok', 'access.emergency.review:ok']);
    const normal = await requestAndApprove(t, t.users.psViewer, t.users.trafficApprover, { ownerDepartmentId: t.departments.traffic, targetKind: 'cameras', cameraIds: [camera], scopes: ['live'], endsAt: Date.now() + MINUTE * 5 });
    expect((await t.api(`/api/v1/access/grants/${normal.grantId}/review`, { user: t.users.trafficApprover, body: { outcome: 'upheld' } })).body.code).toBe('NOT_EMERGENCY');
  });

  it('open notification streams end when the hub stops', async () => {
    const stream = await openStream(t, t.users.psApprover);
    await t.hub.stop();
    await stream.done;
    expect(stream.response.status).toBe(200);
  });
});
