import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub, TestUser } from '../helpers/test-hub.ts';
import { addCamera, startAccessHub } from '../access/access-fixture.ts';

const T0 = Date.UTC(2031, 4, 10, 8, 0, 0); // fixed times, far from the events the hub writes itself
const MIN = 60_000;

describeEachDatabase('auditor queries', (kind) => {
  let t: TestHub;
  let camX: string;
  let camY: string;
  const play = (user: TestUser, camera: string, action: 'play.start' | 'play.stop', sessionId: string, at: number, result: 'ok' | 'denied' = 'ok') =>
    t.hub.ctx.audit.append({ action, result, userId: user.id, username: user.username, departmentId: user.departmentId, targetType: 'camera', targetId: camera, clientIp: '10.0.0.7', at, details: { sessionId, protocol: 'hls' } });

  beforeAll(async () => {
    t = await startAccessHub(kind);
    camX = await addCamera(t, { departmentId: t.departments.traffic, name: 'Junction 5 north' });
    camY = await addCamera(t, { departmentId: t.departments.community, name: 'Gate B' });
    const { psViewer, trafficViewer, psApprover } = t.users;
    await play(psViewer, camX, 'play.start', 's1', T0);               // 08:00–08:20
    await play(psViewer, camX, 'play.stop', 's1', T0 + 20 * MIN);
    await play(trafficViewer, camX, 'play.start', 's2', T0 + 30 * MIN); // 08:30–09:30
    await play(psApprover, camX, 'play.start', 's3', T0 + 40 * MIN);   // 08:40–… still open
    await play(trafficViewer, camX, 'play.stop', 's2', T0 + 90 * MIN);
    await play(psViewer, camX, 'play.start', 's4', T0 + 100 * MIN, 'denied');
    await play(psViewer, camY, 'play.start', 's5', T0 + 5 * MIN);
    await t.hub.ctx.audit.append({ action: 'snapshot', userId: psViewer.id, username: psViewer.username, departmentId: psViewer.departmentId, targetType: 'camera', targetId: camX, at: T0 + 6 * MIN });
    await t.hub.ctx.audit.append({ action: 'config.camera.update', userId: t.users.admin.id, username: 'admin', departmentId: t.users.admin.departmentId, reason: '=HYPERLINK("http://evil")', targetType: 'camera', targetId: camY, at: T0 + 7 * MIN });
  });
  afterAll(async () => { await t?.stop(); });

  it('is for auditors and admins only', async () => {
    for (const path of ['/api/v1/audit/events', '/api/v1/audit/export.csv', `/api/v1/audit/cameras/${camX}/viewers`, `/api/v1/audit/departments/${t.departments.ps}/access`]) {
      expect((await t.api(path, { user: t.users.psApprover })).status).toBe(403);
      expect((await t.api(path)).status).toBe(401);
    }
    expect((await t.api('/api/v1/audit/events', { user: t.users.admin })).status).toBe(200);
  });

  it('searches with filters and pages with a cursor', async () => {
    const search = async (query: string) => (await t.api(`/api/v1/audit/events?${query}`, { user: t.users.auditor })).body;
    const byUser = await search(`userId=${t.users.psViewer.id}&from=${T0}&to=${T0 + 200 * MIN}`);
    // Newest recorded first (seq order).
    expect(byUser.events.map((e: any) => e.action)).toEqual(['snapshot', 'play.start', 'play.start', 'play.stop', 'play.start']);
    expect(byUser.events[2]).toMatchObject({ result: 'denied', targetId: camX, clientIp: '10.0.0.7', details: { sessionId: 's4', protocol: 'hls' } });
    expect((await search(`action=play.*&result=denied`)).events.map((e: any) => e.details.sessionId)).toEqual(['s4']);
    expect((await search(`targetId=${camX}&from=${T0 + 30 * MIN}&to=${T0 + 41 * MIN}`)).events.map((e: any) => e.details.sessionId)).toEqual(['s3', 's2']);
    expect((await search(`departmentId=${t.departments.traffic}&action=play.start`)).events.map((e: any) => e.details.sessionId)).toEqual(['s2']);
    expect((await search('action=auth.login&username=auditor')).events).toHaveLength(1);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await search(`from=${T0}&to=${T0 + 200 * MIN}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.events.length).toBeLessThanOrEqual(3);
      seen.push(...page.events.map((e: any) => e.seq));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(9);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    expect(new Set(seen).size).toBe(9);
    expect((await t.api('/api/v1/audit/events?cursor=abc', { user: t.users.auditor })).status).toBe(400);
  });

  it('exports CSV (formula-safe) and records the export', async () => {
    const response = await fetch(`${t.url}/api/v1/audit/export.csv?from=${T0}&to=${T0 + 200 * MIN}`, { headers: { authorization: `Bearer ${t.users.auditor.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // BOM: spreadsheets read the Chinese names as UTF-8
    const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
    // Readable columns first (China time, names), the ids and hashes kept after them.
    expect(lines[0]).toBe('seq,time,username,department,action,target_type,target,result,reason,client_ip,details,id,at_iso,at,user_id,department_id,target_id,prev_hash,hash');
    expect(lines).toHaveLength(10);
    // T0 is 08:00 UTC = 16:00 in Asia/Shanghai (display.timeZone's default).
    expect(lines[1]).toMatch(/^\d+,2031-05-10 16:00:00,psViewer,Public Security Bureau,play\.start,camera,Junction 5 north,ok,/);
    expect(lines[1]).toContain(`,2031-05-10T08:00:00.000Z,${T0},${t.users.psViewer.id},${t.departments.ps},${camX},`);
    expect(lines.find((l) => l.includes('config.camera.update'))).toContain(`"'=HYPERLINK(""http://evil"")"`);
    const exported = await t.hub.ctx.db.selectFrom('audit_events').selectAll().where('action', '=', 'audit.export').execute();
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ user_id: t.users.auditor.id, department_id: t.departments.ps, target_type: 'audit_trail' });
    expect(JSON.parse(exported[0].details!).filter).toEqual({ from: T0, to: T0 + 200 * MIN });
  });

  it('answers who watched camera X between t1 and t2', async () => {
    const viewers = async (from: number, to: number) => (await t.api(`/api/v1/audit/cameras/${camX}/viewers?from=${from}&to=${to}`, { user: t.users.auditor })).body;
    const sessions = await viewers(T0 + 25 * MIN, T0 + 35 * MIN);
    expect(sessions).toEqual([{ sessionId: 's2', userId: t.users.trafficViewer.id, username: 'trafficViewer', departmentId: t.departments.traffic, protocol: 'hls', result: 'ok', startedAt: T0 + 30 * MIN, stoppedAt: T0 + 90 * MIN }]);
    expect((await viewers(T0 + 10 * MIN, T0 + 45 * MIN)).map((s: any) => s.sessionId)).toEqual(['s1', 's2', 's3']);
    const late = await viewers(T0 + 95 * MIN, T0 + 200 * MIN);
    expect(late.map((s: any) => [s.sessionId, s.result, s.stoppedAt])).toEqual([['s3', 'ok', null], ['s4', 'denied', T0 + 100 * MIN]]);
    expect((await t.api(`/api/v1/audit/cameras/${camX}/viewers?from=${T0}&to=${T0}`, { user: t.users.auditor })).body.code).toBe('RANGE_INVALID');
  });

  it('answers what department Y accessed this month, by camera and action', async () => {
    const month = new Date(T0).toISOString().slice(0, 7);
    const result = (await t.api(`/api/v1/audit/departments/${t.departments.ps}/access?month=${month}`, { user: t.users.auditor })).body;
    // The month as it runs in China time (display.timeZone): from 1 May 00:00 +08:00, whatever the server's own zone.
    expect(result.from).toBe(Date.UTC(2031, 4, 1) - 8 * 3_600_000);
    expect(result.to).toBe(Date.UTC(2031, 5, 1) - 8 * 3_600_000);
    const rows = result.rows.map((r: any) => [r.cameraName, r.ownerDepartmentId, r.action, r.count, r.users]);
    expect(rows).toEqual(expect.arrayContaining([
      ['Junction 5 north', t.departments.traffic, 'play.start', 3, 2],
      ['Junction 5 north', t.departments.traffic, 'play.stop', 1, 1],
      ['Junction 5 north', t.departments.traffic, 'snapshot', 1, 1],
      ['Gate B', t.departments.community, 'play.start', 1, 1],
    ]));
    expect(rows).toHaveLength(4);
    const other = (await t.api(`/api/v1/audit/departments/${t.departments.ps}/access?month=2031-06`, { user: t.users.auditor })).body;
    expect(other.rows).toEqual([]);
  });
});
