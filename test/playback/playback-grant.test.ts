import { afterAll, beforeAll, expect, it } from 'vitest';
import { authorizeCamera } from '../../api/access/camera-access.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { addCamera, authUser, requestAndApprove, startAccessHub } from '../access/access-fixture.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describeEachDatabase('grants with the playback scope and its lookback', (kind) => {
  let t: TestHub;
  let camera: string;

  beforeAll(async () => {
    t = await startAccessHub(kind);
    camera = await addCamera(t, { departmentId: t.departments.ps });
  }, 60_000);
  afterAll(async () => t?.stop());

  const target = (extra: Record<string, unknown>) => ({ ownerDepartmentId: t.departments.ps, targetKind: 'cameras', cameraIds: [camera], endsAt: Date.now() + HOUR, ...extra });

  it('the request form carries the lookback to the grant, and the decision limits the recorded time reached', async () => {
    const { grant } = await requestAndApprove(t, t.users.trafficViewer, t.users.psApprover, target({ scopes: ['live', 'playback'], playbackLookback: 'days', playbackDays: 7 }));
    expect(grant).toMatchObject({ scopes: ['live', 'playback'], playbackLookback: 'days', playbackDays: 7 });
    const now = Date.now();
    const decision = await authorizeCamera(t.hub.ctx, authUser(t.users.trafficViewer), camera, 'playback', now);
    expect(decision).toMatchObject({ allowed: true, reason: 'grant', grantId: grant.id, playbackFrom: now - 7 * DAY });
    expect(decision.playbackTo).toBeUndefined();
    // Live access through the same grant carries no playback limits.
    expect((await authorizeCamera(t.hub.ctx, authUser(t.users.trafficViewer), camera, 'live', now)).playbackFrom).toBeUndefined();
    // The owner's own department is not limited.
    expect((await authorizeCamera(t.hub.ctx, authUser(t.users.psViewer), camera, 'playback', now))).toMatchObject({ allowed: true, reason: 'owner' });
    await t.api(`/api/v1/access/grants/${grant.id}/revoke`, { user: t.users.psApprover, body: { reason: 'test over' } });
  });

  it('"only the grant\'s window" limits playback to that window; an approver may narrow but never widen the lookback', async () => {
    const asked = target({ scopes: ['playback'], playbackLookback: 'days', playbackDays: 3 });
    const widened = await t.api('/api/v1/access/requests', { user: t.users.trafficViewer, body: { purpose: 'incident follow-up', legalBasis: 'Police Law art. 6', ...asked } });
    const refused = await t.api(`/api/v1/access/requests/${widened.body.id}/approve`, { user: t.users.psApprover, body: { playbackLookback: 'days', playbackDays: 30 } });
    expect([refused.status, refused.body.code]).toEqual([400, 'APPROVAL_WIDENS']);
    const none = await t.api(`/api/v1/access/requests/${widened.body.id}/approve`, { user: t.users.psApprover, body: { playbackLookback: 'none' } });
    expect(none.body.code).toBe('APPROVAL_WIDENS');
    const narrowed = await t.api(`/api/v1/access/requests/${widened.body.id}/approve`, { user: t.users.psApprover, body: { playbackLookback: 'window' } });
    expect(narrowed.status).toBe(200);
    const grant = narrowed.body.grant;
    expect(grant).toMatchObject({ playbackLookback: 'window', playbackDays: null });
    const decision = await authorizeCamera(t.hub.ctx, authUser(t.users.trafficViewer), camera, 'playback');
    expect(decision).toMatchObject({ playbackFrom: grant.startsAt, playbackTo: grant.endsAt });
  });

  it('refuses a lookback without the playback scope and "days" without a count', async () => {
    const post = (extra: Record<string, unknown>) => t.api('/api/v1/access/requests', { user: t.users.trafficViewer, body: { purpose: 'incident follow-up', legalBasis: 'Police Law art. 6', ...target(extra) } });
    expect((await post({ scopes: ['live'], playbackLookback: 'window' })).body.code).toBe('PLAYBACK_SCOPE_REQUIRED');
    expect((await post({ scopes: ['playback'], playbackLookback: 'days' })).body.code).toBe('PLAYBACK_DAYS_REQUIRED');
    expect((await post({ scopes: ['playback'], playbackDays: 4 })).body.code).toBe('PLAYBACK_DAYS_UNEXPECTED');
    const plain = await post({ scopes: ['playback'] });
    expect(plain.status).toBe(201);
    expect(plain.body).toMatchObject({ playbackLookback: 'none', playbackDays: null });
  });
});
