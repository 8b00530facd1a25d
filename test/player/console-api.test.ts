import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../api/hub/load-config.ts';
import { addCamera, pass } from '../checkpoint/checkpoint-fixtures.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

const HOUR = 3_600_000;

describeEachDatabase('console API: menu badge counts and saved wall layouts', (kind) => {
  let t: TestHub;
  let trafficCam: string;
  let psCam: string;

  beforeAll(async () => {
    t = await startTestHub(kind, { overrides: { wall: { maxLayoutsPerUser: 3 } } });
    trafficCam = await addCamera(t, t.departments.traffic, { name: 'Ring road' });
    psCam = await addCamera(t, t.departments.ps, { name: 'Station square', category: 'public_security' });
  });
  afterAll(async () => {
    await t?.stop();
  });

  const counts = async (user: keyof TestHub['users']) => {
    const result = await t.api('/api/v1/console/counts', { user: t.users[user] });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    return result.body;
  };

  it('counts waiting requests for the owner department\'s approvers, alerts for the watchlist\'s department, unread notifications per user', async () => {
    expect(await counts('trafficApprover')).toEqual({ pendingRequests: 0, unacknowledgedAlerts: 0, unreadNotifications: 0 });
    // Roles without the list get null, not a misleading zero.
    expect(await counts('psViewer')).toMatchObject({ pendingRequests: null, unacknowledgedAlerts: 0 });
    expect(await counts('auditor')).toMatchObject({ pendingRequests: null, unacknowledgedAlerts: null });

    const request = await t.api('/api/v1/access/requests', {
      user: t.users.psViewer,
      body: { purpose: 'incident follow-up', legalBasis: 'Police Law art. 6', ownerDepartmentId: t.departments.traffic, targetKind: 'cameras', cameraIds: [trafficCam], scopes: ['live'], endsAt: Date.now() + HOUR },
    });
    expect(request.status, JSON.stringify(request.body)).toBe(201);
    expect(await counts('trafficApprover')).toEqual({ pendingRequests: 1, unacknowledgedAlerts: 0, unreadNotifications: 1 });
    expect((await counts('psApprover')).pendingRequests).toBe(0);
    expect((await counts('admin')).pendingRequests).toBe(1);

    const watch = await t.api('/api/v1/checkpoint/watchlist', {
      user: t.users.trafficApprover, body: { plate: '京C77777', matchKind: 'exact', reason: 'stolen vehicle', validUntil: Date.now() + HOUR },
    });
    expect(watch.status, JSON.stringify(watch.body)).toBe(201);
    const ingest = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [pass(trafficCam, '京C77777', Date.now())] } });
    expect(ingest.status, JSON.stringify(ingest.body)).toBe(200);
    expect((await counts('trafficViewer')).unacknowledgedAlerts).toBe(1);
    expect((await counts('psViewer')).unacknowledgedAlerts).toBe(0);

    // Deciding and acknowledging bring the badges back down.
    const alerts = await t.api('/api/v1/checkpoint/alerts', { user: t.users.trafficViewer });
    expect((await t.api(`/api/v1/checkpoint/alerts/${alerts.body[0].id}/ack`, { user: t.users.trafficViewer, body: {} })).status).toBe(200);
    expect((await t.api(`/api/v1/access/requests/${request.body.id}/reject`, { user: t.users.trafficApprover, body: { reason: 'not needed' } })).status).toBe(200);
    const approverCounts = await counts('trafficApprover');
    expect(approverCounts).toMatchObject({ pendingRequests: 0, unacknowledgedAlerts: 0 });
    const notes = await t.api('/api/v1/access/notifications?unreadOnly=true', { user: t.users.trafficApprover });
    expect(approverCounts.unreadNotifications).toBe(notes.body.length);
    for (const n of notes.body) await t.api(`/api/v1/access/notifications/${n.id}/read`, { user: t.users.trafficApprover, body: {} });
    expect((await counts('trafficApprover')).unreadNotifications).toBe(0);
    expect((await t.api('/api/v1/console/counts')).status).toBe(401);
  });

  it('saves, replaces by name, lists and deletes a user\'s own wall layouts only', async () => {
    const save = (user: keyof TestHub['users'], body: unknown) => t.api('/api/v1/console/wall-layouts', { user: t.users[user], body });
    const created = await save('psViewer', { name: '主路口', size: 4, cameraIds: [psCam, trafficCam] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name: '主路口', size: 4, cameraIds: [psCam, trafficCam] });
    const replaced = await save('psViewer', { name: '主路口', size: 9, cameraIds: [trafficCam] });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: created.body.id, size: 9, cameraIds: [trafficCam] });

    const mine = await t.api('/api/v1/console/wall-layouts', { user: t.users.psViewer });
    expect(mine.body).toMatchObject({ maxLayouts: 3, tourMinSeconds: 5 });
    expect(mine.body.layouts.map((l: { name: string; size: number }) => [l.name, l.size])).toEqual([['主路口', 9]]);
    // Another user sees none of it and cannot delete it.
    expect((await t.api('/api/v1/console/wall-layouts', { user: t.users.psApprover })).body.layouts).toEqual([]);
    const foreign = await t.api(`/api/v1/console/wall-layouts/${created.body.id}`, { method: 'DELETE', user: t.users.psApprover });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('WALL_LAYOUT_NOT_FOUND');

    // The same name saved twice at once: one layout, not a unique-index failure.
    const both = await Promise.all([save('psApprover', { name: '同名', size: 1, cameraIds: [psCam] }), save('psApprover', { name: '同名', size: 4, cameraIds: [] })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 201]);
    expect((await t.api('/api/v1/console/wall-layouts', { user: t.users.psApprover })).body.layouts).toHaveLength(1);

    // Bad input: typed errors, nothing stored.
    expect((await save('psViewer', { name: 'x', size: 5, cameraIds: [] })).status).toBe(400);
    const tooMany = await save('psViewer', { name: 'x', size: 1, cameraIds: [psCam, trafficCam] });
    expect([tooMany.status, tooMany.body.code]).toEqual([400, 'WALL_TOO_MANY_CAMERAS']);
    const blank = await save('psViewer', { name: '   ', size: 1, cameraIds: [] });
    expect([blank.status, blank.body.code]).toEqual([400, 'WALL_LAYOUT_NAME_EMPTY']);
    expect((await save('psViewer', { name: 'x', size: 1, cameraIds: ['../etc'] })).status).toBe(400);
    // The per-user limit (3 here).
    expect((await save('psViewer', { name: 'b', size: 1, cameraIds: [] })).status).toBe(201);
    expect((await save('psViewer', { name: 'c', size: 1, cameraIds: [] })).status).toBe(201);
    const full = await save('psViewer', { name: 'd', size: 1, cameraIds: [] });
    expect([full.status, full.body.code]).toEqual([409, 'WALL_LAYOUT_LIMIT']);
    expect((await t.api('/api/v1/console/wall-layouts', { user: t.users.psViewer })).body.layouts).toHaveLength(3);

    expect((await t.api(`/api/v1/console/wall-layouts/${created.body.id}`, { method: 'DELETE', user: t.users.psViewer })).status).toBe(200);
    expect((await t.api(`/api/v1/console/wall-layouts/${created.body.id}`, { method: 'DELETE', user: t.users.psViewer })).status).toBe(404);
    expect((await t.api('/api/v1/console/wall-layouts', { user: t.users.psViewer })).body.layouts.map((l: { name: string }) => l.name)).toEqual(['b', 'c']);
  });
});

describe('wall settings', () => {
  const secrets = {
    HUB_AUTH_TOKEN_SECRET: 'k3J9x-Qm2vT8wLp4Zr7NcYb1Hd6Fs0Ug',
    HUB_CREDENTIALS_ENCRYPTION_KEY: 'Wq5Er8Ty1Ui4Op7As2Df6Gh9Jk3Lz0Xc',
    HUB_AUDIT_CHAIN_KEY: 'Zx8Cv5Bn2Mq7Wr4Ty1Up6As3Df9Gh0Jk',
  };
  it('defaults, HUB_WALL_* variables, and a clear refusal of bad values', () => {
    expect(loadConfig({ env: secrets }).wall).toEqual({ maxLayoutsPerUser: 50, tourMinSeconds: 5 });
    expect(loadConfig({ env: { ...secrets, HUB_WALL_MAX_LAYOUTS_PER_USER: '7', HUB_WALL_TOUR_MIN_SECONDS: '15' } }).wall).toEqual({ maxLayoutsPerUser: 7, tourMinSeconds: 15 });
    expect(() => loadConfig({ env: { ...secrets, HUB_WALL_TOUR_MIN_SECONDS: '1' } })).toThrow(ConfigError);
  });
});
