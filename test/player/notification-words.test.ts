import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../helpers/test-hub.ts';
import { addCamera, requestAndApprove, startAccessHub } from '../access/access-fixture.ts';

// Access notifications are stored as English sentences; the player reads their varying parts back out to say
// them in Chinese (player/web/notification-words.js). Every kind is produced here by the real services, so a
// change to a server sentence that the player no longer understands fails this test.
type Words = { key: string; params: Record<string, string> } | null;
const { noticeWords } = (await import(pathToFileURL(join(process.cwd(), 'player/web/notification-words.js')).href)) as { noticeWords: (kind: string, message: string) => Words };
const { default: notices } = (await import(pathToFileURL(join(process.cwd(), 'player/web/i18n/messages/notices.js')).href)) as { default: Record<string, Record<string, string>> };
const MINUTE = 60_000;

describe('notification sentences in the user\'s language', () => {
  let t: TestHub;
  let camera: string;
  beforeAll(async () => {
    t = await startAccessHub('sqlite', { overrides: { access: { emergencyMaxMinutes: 30 } } });
    camera = await addCamera(t, { departmentId: t.departments.ps, category: 'public_security' });
  });
  afterAll(async () => { await t?.stop(); });

  it('reads every kind the services write, with its parts', async () => {
    const body = { ownerDepartmentId: t.departments.ps, targetKind: 'cameras', cameraIds: [camera], scopes: ['live', 'snapshot'], endsAt: Date.now() + 60 * MINUTE };
    // Approved narrowed, then revoked; then expired by the sweep.
    const narrowed = await requestAndApprove(t, t.users.trafficViewer, t.users.psApprover, body, { scopes: ['live'] });
    await t.api(`/api/v1/access/grants/${narrowed.grantId}/revoke`, { user: t.users.psApprover, body: { reason: '案件已结 case closed' } });
    const plain = await requestAndApprove(t, t.users.trafficViewer, t.users.psApprover, { ...body, endsAt: Date.now() + 2 * MINUTE });
    await t.hub.services.access!.grants.sweepExpired(plain.grant.endsAt + 1);
    // Rejected, and cancelled.
    const rejected = await t.api('/api/v1/access/requests', { user: t.users.trafficViewer, body: { ...body, purpose: '夜间巡查 night patrol', legalBasis: 'Police Law art. 6' } });
    await t.api(`/api/v1/access/requests/${rejected.body.id}/reject`, { user: t.users.psApprover, body: { reason: 'no case number: 无案号' } });
    const cancelled = await t.api('/api/v1/access/requests', { user: t.users.trafficViewer, body: { ...body, purpose: 'typo', legalBasis: 'Police Law art. 6' } });
    await t.api(`/api/v1/access/requests/${cancelled.body.id}/cancel`, { user: t.users.trafficViewer, body: {} });
    // Emergency access on traffic's camera by the public-security duty officer, reviewed twice over (upheld with a note; revoked).
    const trafficCam = await addCamera(t, { departmentId: t.departments.traffic, category: 'traffic' });
    const emergency = { ownerDepartmentId: t.departments.traffic, targetKind: 'cameras', cameraIds: [trafficCam], scopes: ['live'], minutes: 15, reason: 'armed robbery at the junction. Suspects fled' };
    const first = await t.api('/api/v1/access/emergency', { user: t.users.psViewer, body: emergency });
    await t.api(`/api/v1/access/grants/${first.body.id}/review`, { user: t.users.trafficApprover, body: { outcome: 'upheld', note: 'justified' } });
    const second = await t.api('/api/v1/access/emergency', { user: t.users.psViewer, body: emergency });
    await t.api(`/api/v1/access/grants/${second.body.id}/review`, { user: t.users.trafficApprover, body: { outcome: 'revoke', note: 'not an emergency' } });

    const rows = await t.hub.ctx.db.selectFrom('access_notifications').select(['kind', 'message']).execute();
    const kinds = new Set(rows.map((r) => r.kind));
    expect([...kinds].sort()).toEqual(['grant.emergency', 'grant.expired', 'grant.reviewed', 'grant.revoked', 'request.approved', 'request.cancelled', 'request.created', 'request.rejected']);
    const read = rows.map((r) => ({ ...r, words: noticeWords(r.kind, r.message) }));
    expect(read.filter((r) => r.words === null).map((r) => `${r.kind}: ${r.message}`)).toEqual([]);
    for (const r of read) {
      const key = r.words!.key.replace(/^notices\./, '');
      expect(notices['zh-CN']![key], key).toBeTruthy();
      expect(notices.en![key], key).toBeTruthy();
    }
    const find = (kind: string, key: string) => read.find((r) => r.kind === kind && r.words!.key === `notices.${key}`)?.words?.params;
    const all = (kind: string, key: string) => read.filter((r) => r.kind === kind && r.words!.key === `notices.${key}`).map((r) => r.words!.params);
    expect(all('request.created', 'request_created')).toContainEqual({ user: 'trafficViewer', purpose: '夜间巡查 night patrol' });
    expect(find('request.approved', 'request_approved_narrowed')).toBeDefined();
    expect(find('request.approved', 'request_approved')).toBeDefined();
    expect(find('request.rejected', 'request_rejected')).toEqual({ reason: 'no case number: 无案号' });
    expect(find('request.cancelled', 'request_cancelled')).toEqual({ user: 'trafficViewer' });
    expect(find('grant.revoked', 'grant_revoked')).toEqual({ reason: '案件已结 case closed' });
    expect(find('grant.emergency', 'grant_emergency')).toMatchObject({ user: 'psViewer', minutes: '15', reason: emergency.reason });
    expect(find('grant.reviewed', 'grant_reviewed_upheld_note')).toMatchObject({ note: 'justified' });
    expect(find('grant.reviewed', 'grant_reviewed_revoked_note')).toMatchObject({ note: 'not an emergency' });
    expect(find('grant.expired', 'grant_expired')).toEqual({});
    // A sentence of another shape is left to be shown as stored.
    expect(noticeWords('request.created', 'something new')).toBeNull();
  });
});
