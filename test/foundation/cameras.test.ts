import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

describeEachDatabase('camera registry', (kind) => {
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub(kind); });
  afterAll(async () => { await t?.stop(); });

  it('keeps credentials encrypted and out of every response', async () => {
    const created = await t.api('/api/v1/cameras', {
      user: t.users.psApprover,
      body: { name: 'Gate 1', departmentId: t.departments.ps, category: 'public_security', lat: 31.2, lon: 121.4, streamUrl: 'rtsp://operator:S3cret-Pa55@10.0.0.5:554/main' },
    });
    expect(created.status).toBe(201);
    expect(created.body.hasCredentials).toBe(true);
    const raw = JSON.stringify([created.body, (await t.api('/api/v1/cameras', { user: t.users.admin })).body, (await t.api(`/api/v1/cameras/${created.body.id}`, { user: t.users.psViewer })).body]);
    expect(raw).not.toContain('S3cret-Pa55');
    expect(raw).not.toContain('operator');
    expect(raw).not.toContain('rtsp://');
    const row = await t.hub.ctx.db.selectFrom('cameras').selectAll().where('id', '=', created.body.id).executeTakeFirstOrThrow();
    expect(row.stream_url).toBe('rtsp://10.0.0.5:554/main');
    expect(row.credentials_enc).not.toContain('S3cret');
    const registry = t.hub.services.cameras!;
    expect(await registry.pullUrl(row.id)).toBe('rtsp://operator:S3cret-Pa55@10.0.0.5:554/main');
  });

  it('accepts only rtsp:// and rtsps:// stream URLs', async () => {
    for (const streamUrl of ['file:///etc/passwd', 'concat:a.ts|b.ts', 'http://x/playlist.m3u8', '-i /etc/passwd', 'rtsp://host/ -f null', 'pipe:0']) {
      const result = await t.api('/api/v1/cameras', { user: t.users.admin, body: { name: 'bad', departmentId: t.departments.ps, category: 'traffic', streamUrl } });
      expect(result.status, streamUrl).toBe(400);
      expect(['CAMERA_URL_SCHEME', 'CAMERA_URL_INVALID']).toContain(result.body.code);
    }
  });

  it('lets approvers manage only their own department and shows access per camera', async () => {
    const denied = await t.api('/api/v1/cameras', { user: t.users.trafficApprover, body: { name: 'x', departmentId: t.departments.ps, category: 'traffic', streamUrl: 'rtsp://10.0.0.9/x' } });
    expect(denied.status).toBe(403);
    const viewerDenied = await t.api('/api/v1/cameras', { user: t.users.psViewer, body: { name: 'x', departmentId: t.departments.ps, category: 'traffic', streamUrl: 'rtsp://10.0.0.9/x' } });
    expect(viewerDenied.status).toBe(403);
    const list = await t.api('/api/v1/cameras', { user: t.users.trafficViewer });
    const gate = list.body.find((c: { name: string }) => c.name === 'Gate 1');
    expect(gate.access).toEqual({ live: false, snapshot: false, ptz: false, events: false, playback: false });
    const own = (await t.api('/api/v1/cameras', { user: t.users.psViewer })).body.find((c: { name: string }) => c.name === 'Gate 1');
    expect(own.access.live).toBe(true);
    const auditorView = (await t.api('/api/v1/cameras', { user: t.users.auditor })).body.find((c: { name: string }) => c.name === 'Gate 1');
    expect(auditorView.access.live).toBe(false);
  });
});
