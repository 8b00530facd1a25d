import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

/** Audit events of denials on one camera. */
async function denials(t: TestHub, cameraId: string) {
  return t.hub.ctx.db.selectFrom('audit_events').select(['action', 'result', 'reason', 'user_id', 'username', 'client_ip', 'details'])
    .where('target_type', '=', 'camera').where('target_id', '=', cameraId).where('result', '=', 'denied').orderBy('seq').execute();
}

// The audit rule does not depend on the database: SQLite only.
describe('denials on a camera are audited', () => {
  let t: TestHub;
  let psCam: string;
  beforeAll(async () => {
    t = await startTestHub('sqlite', { features: ['auth', 'directory', 'audit', 'cameras', 'ingest', 'relay'] });
    const created = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'denial cam', departmentId: t.departments.ps, category: 'public_security', streamUrl: 'rtsp://127.0.0.1:9/none' } });
    expect(created.status).toBe(201);
    psCam = created.body.id;
  });
  afterAll(async () => { await t?.stop(); });

  it('security #12: a denied POST /cameras/:id/play from another department is audited with who, where and why', async () => {
    const denied = await t.api(`/api/v1/cameras/${psCam}/play`, { user: t.users.trafficViewer, body: { protocol: 'hls' } });
    expect([denied.status, denied.body.code]).toEqual([403, 'CAMERA_ACCESS_DENIED']);
    const events = await denials(t, psCam);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'camera.access', result: 'denied', reason: 'CAMERA_ACCESS_DENIED', user_id: t.users.trafficViewer.id, client_ip: '127.0.0.1' });
    expect(JSON.parse(events[0]!.details!)).toMatchObject({ route: 'POST /api/v1/cameras/:id/play', scope: 'live' });
  });

  it('security #12: role-gate refusals and role denials on a camera route are audited too', async () => {
    const before = (await denials(t, psCam)).length;
    // A viewer may not change a camera (role gate before the handler).
    const patch = await t.api(`/api/v1/cameras/${psCam}`, { method: 'PATCH', user: t.users.psViewer, body: { name: 'renamed' } });
    expect([patch.status, patch.body.code]).toEqual([403, 'ROLE_REQUIRED']);
    // An auditor watches nothing (camera-access role rule).
    const play = await t.api(`/api/v1/cameras/${psCam}/play`, { user: t.users.auditor, body: { protocol: 'hls' } });
    expect(play.status).toBe(403);
    const events = (await denials(t, psCam)).slice(before);
    expect(events.map((e) => [e.action, e.username, e.reason])).toEqual([
      ['camera.access', 'psViewer', 'ROLE_REQUIRED'],
      ['camera.access', 'auditor', 'CAMERA_ACCESS_DENIED'],
    ]);
  });
});
