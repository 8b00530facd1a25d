import { afterAll, beforeAll, expect, it } from 'vitest';
import { authorizeCamera, CAMERA_SCOPES } from '../../api/access/camera-access.ts';
import type { HubEventMap } from '../../api/kernel/events/hub-events.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { addCamera, authUser, requestAndApprove, startAccessHub } from './access-fixture.ts';

const HOUR = 3_600_000;

describeEachDatabase('camera decision follows grants', (kind) => {
  let t: TestHub;
  beforeAll(async () => { t = await startAccessHub(kind); });
  afterAll(async () => { await t?.stop(); });

  for (const scope of CAMERA_SCOPES) {
    it(`scope ${scope}: access appears with the grant, ends at expiry and at revocation`, async () => {
      const db = t.hub.ctx;
      const viewer = authUser(t.users.psViewer);
      // Fresh cameras per scope, so grants of the other scopes' tests do not count here.
      const camera = await addCamera(t, { departmentId: t.departments.traffic, category: 'traffic' });
      const otherCamera = await addCamera(t, { departmentId: t.departments.traffic, category: 'traffic' });
      const start = Date.now() + HOUR;
      const end = start + HOUR;
      expect((await authorizeCamera(db, viewer, camera, scope)).allowed).toBe(false);

      const { grantId } = await requestAndApprove(t, t.users.psViewer, t.users.trafficApprover, {
        ownerDepartmentId: t.departments.traffic, targetKind: 'cameras', cameraIds: [camera], scopes: [scope], startsAt: start, endsAt: end,
      });
      // Before the window, inside it, at its end.
      expect((await authorizeCamera(db, viewer, camera, scope, start - 1)).allowed).toBe(false);
      const inside = await authorizeCamera(db, viewer, camera, scope, start + 1);
      expect(inside).toMatchObject({ allowed: true, reason: 'grant', grantId, expiresAt: end });
      expect((await authorizeCamera(db, viewer, camera, scope, end)).allowed).toBe(false);
      // Only the granted scope, only the granted camera.
      for (const other of CAMERA_SCOPES.filter((s) => s !== scope)) {
        expect((await authorizeCamera(db, viewer, camera, other, start + 1)).allowed).toBe(false);
      }
      expect((await authorizeCamera(db, viewer, otherCamera, scope, start + 1)).allowed).toBe(false);

      // A grant active now; revocation ends it at once and publishes grant.revoked.
      const now = await requestAndApprove(t, t.users.psViewer, t.users.trafficApprover, {
        ownerDepartmentId: t.departments.traffic, targetKind: 'cameras', cameraIds: [camera], scopes: [scope], endsAt: Date.now() + HOUR,
      });
      expect((await authorizeCamera(db, viewer, camera, scope)).allowed).toBe(true);
      const check = await t.api(`/api/v1/access/cameras/${camera}/decision?scope=${scope}`, { user: t.users.psViewer });
      expect(check.body).toMatchObject({ allowed: true, grantId: now.grantId });
      const revoked: HubEventMap['grant.revoked'][0][] = [];
      const listener = (event: HubEventMap['grant.revoked'][0]) => revoked.push(event);
      t.hub.ctx.events.on('grant.revoked', listener);
      const revoke = await t.api(`/api/v1/access/grants/${now.grantId}/revoke`, { user: t.users.trafficApprover, body: { reason: 'incident closed' } });
      t.hub.ctx.events.off('grant.revoked', listener);
      expect(revoke.status).toBe(200);
      expect(revoke.body.state).toBe('revoked');
      expect(revoked).toEqual([{ grantId: now.grantId, granteeDepartmentId: t.departments.ps, ownerDepartmentId: t.departments.traffic, at: revoke.body.revokedAt }]);
      expect((await authorizeCamera(db, viewer, camera, scope)).allowed).toBe(false);
      const after = await t.api(`/api/v1/access/cameras/${camera}/decision?scope=${scope}`, { user: t.users.psViewer });
      expect(after.body).toMatchObject({ allowed: false, reason: 'no-grant' });
      // The future grant of this scope is still there, unaffected.
      expect((await authorizeCamera(db, viewer, camera, scope, start + 1)).allowed).toBe(true);
    });
  }

  it('category and area grants cover exactly the matching cameras of the owner', async () => {
    const db = t.hub.ctx;
    const inArea = await addCamera(t, { departmentId: t.departments.community, category: 'community', lat: 31.2, lon: 121.4 });
    const outArea = await addCamera(t, { departmentId: t.departments.community, category: 'community', lat: 30.0, lon: 121.4 });
    const viewer = authUser(t.users.trafficViewer);
    await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, {
      ownerDepartmentId: t.departments.community, targetKind: 'area', area: { minLat: 31, minLon: 121, maxLat: 32, maxLon: 122 }, scopes: ['snapshot'], endsAt: Date.now() + HOUR,
    });
    expect((await authorizeCamera(db, viewer, inArea, 'snapshot')).allowed).toBe(true);
    expect((await authorizeCamera(db, viewer, outArea, 'snapshot')).allowed).toBe(false);
    await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, {
      ownerDepartmentId: t.departments.community, targetKind: 'category', category: 'community', scopes: ['events'], endsAt: Date.now() + HOUR,
    });
    expect((await authorizeCamera(db, viewer, outArea, 'events')).allowed).toBe(true);
    // Owners and admins need no grant; auditors never use cameras.
    expect((await authorizeCamera(db, authUser(t.users.communityApprover), outArea, 'ptz')).reason).toBe('owner');
    expect((await authorizeCamera(db, authUser(t.users.admin), outArea, 'ptz')).reason).toBe('admin');
    expect((await authorizeCamera(db, authUser(t.users.auditor), outArea, 'live')).reason).toBe('role');
    const missing = await t.api('/api/v1/access/cameras/no-such-camera/decision?scope=live', { user: t.users.psViewer });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('CAMERA_NOT_FOUND');
  });
});
