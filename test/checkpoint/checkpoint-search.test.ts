import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, addGrant, pass } from './checkpoint-fixtures.ts';

describeEachDatabase('checkpoint search and export', (kind) => {
  let t: TestHub;
  let trafficCam: string;
  let trafficCam2: string;
  let psCam: string;
  let communityCam: string;
  const base = Date.UTC(2024, 4, 1, 8, 0, 0);

  beforeAll(async () => {
    t = await startTestHub(kind);
    trafficCam = await addCamera(t, t.departments.traffic, { lat: 39.90, lon: 116.40, name: 'Chang-an East' });
    trafficCam2 = await addCamera(t, t.departments.traffic, { lat: 39.95, lon: 116.45, name: 'Ring 2 North' });
    psCam = await addCamera(t, t.departments.ps, { category: 'public_security' });
    communityCam = await addCamera(t, t.departments.community, { category: 'community' });
    mkdirSync(join(t.database.dataDir, 'images', 'crops'), { recursive: true });
    writeFileSync(join(t.database.dataDir, 'images', 'crops', 'a.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    const records = [
      pass(trafficCam, '京A12385', base, { cropImagePath: 'crops/a.jpg' }),
      pass(trafficCam2, '京A12385', base + 60_000),
      pass(trafficCam, '京A12386', base + 120_000),
      pass(trafficCam, '京AIZ3B5', base + 180_000, { plateColour: 'yellow' }),
      pass(psCam, '京A12385', base + 240_000),
      pass(communityCam, '京A12385', base + 300_000),
      pass(trafficCam, '沪C77777', base + 360_000),
    ];
    const first = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records } });
    expect(first.body).toEqual({ inserted: 7, duplicates: 0 });
    // A retried batch (plus one new record) inserts only what is new.
    const again = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [...records, pass(trafficCam, '京A00001', base + 420_000)] } });
    expect(again.body).toEqual({ inserted: 1, duplicates: 7 });
  });
  afterAll(async () => { await t?.stop(); });

  const search = (query: string, user = t.users.trafficViewer) => t.api(`/api/v1/checkpoint/passes?${query}`, { user });

  it('refuses bad ingest: non-admin, unknown camera, image path outside the images folder', async () => {
    const record = pass(trafficCam, '京A99999', base);
    expect((await t.api('/api/v1/checkpoint/passes', { user: t.users.trafficApprover, body: { records: [record] } })).status).toBe(403);
    const unknown = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [{ ...record, cameraId: 'nope' }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('PASS_CAMERA_UNKNOWN');
    const traversal = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [{ ...record, cropImagePath: '../../../etc/passwd' }] } });
    expect(traversal.status).toBe(400);
    expect(traversal.body.code).toBe('PASS_IMAGE_PATH_INVALID');
    const store = t.hub.services.checkpoint!;
    await expect(store.ingestPasses([{ ...record, plate: '京A1;drop' }])).rejects.toMatchObject({ code: 'PASS_INVALID' });
  });

  it('exact plate search shows only cameras the department owns or holds an events grant for', async () => {
    const traffic = await search('plate=京A12385');
    expect(traffic.status).toBe(200);
    expect(traffic.body.items.map((p: any) => p.cameraId).sort()).toEqual([trafficCam, trafficCam2].sort());
    expect((await search('plate=京A12385', t.users.psViewer)).body.items.map((p: any) => p.cameraId)).toEqual([psCam]);
    expect((await search('plate=京A12385', t.users.admin)).body.items).toHaveLength(4);
    expect((await search('plate=京A12385', t.users.auditor)).status).toBe(403);

    await addGrant(t, t.departments.community, t.departments.traffic, [communityCam], ['live']);
    expect((await search('plate=京A12385')).body.items).toHaveLength(2);
    await addGrant(t, t.departments.community, t.departments.traffic, [communityCam], ['events']);
    expect((await search('plate=京A12385')).body.items).toHaveLength(3);
  });

  it('looks up one pass by id: 403 for another department, 404 for none', async () => {
    const ps = (await search('plate=京A12385', t.users.psViewer)).body.items[0];
    expect((await t.api(`/api/v1/checkpoint/passes/${ps.id}`, { user: t.users.psViewer })).status).toBe(200);
    const denied = await t.api(`/api/v1/checkpoint/passes/${ps.id}`, { user: t.users.trafficViewer });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('CAMERA_ACCESS_DENIED');
    expect((await t.api('/api/v1/checkpoint/passes/missing-1', { user: t.users.admin })).status).toBe(404);
  });

  it('wildcard, fuzzy, time, camera, department and colour filters', async () => {
    const plates = async (q: string) => (await search(q, t.users.admin)).body.items.map((p: any) => p.plate).sort();
    expect(await plates('platePattern=京A123*')).toEqual(['京A12385', '京A12385', '京A12385', '京A12385', '京A12386']);
    expect(await plates('platePattern=*7777?')).toEqual(['沪C77777']);
    expect(await plates('fuzzyPlate=京A1Z3B5&fuzzyDistance=0')).toEqual(['京A12385', '京A12385', '京A12385', '京A12385', '京AIZ3B5']);
    const fuzzy = await search('fuzzyPlate=京A1Z3B5', t.users.admin);
    expect(fuzzy.body.items.map((p: any) => p.plate)).toContain('京A12386');
    expect(fuzzy.body.items.find((p: any) => p.plate === '京A12386').matchDistance).toBe(1);
    expect(fuzzy.body.items.find((p: any) => p.plate === '京AIZ3B5').matchDistance).toBe(0);
    expect(await plates(`plate=京A12385&from=${base + 60_000}&to=${base + 300_000}`)).toHaveLength(2); // to is exclusive
    expect((await search(`plate=京A12385&cameraId=${trafficCam2}`, t.users.admin)).body.items.map((p: any) => p.cameraId)).toEqual([trafficCam2]);
    expect((await search(`plate=京A12385&departmentId=${t.departments.ps}`, t.users.admin)).body.items.map((p: any) => p.cameraId)).toEqual([psCam]);
    expect((await search(`plate=京A12385&departmentId=${t.departments.ps}`)).body.items).toEqual([]);
    expect(await plates('plateColour=yellow')).toEqual(['京AIZ3B5']);
    const bad = await search('platePattern=**');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('PLATE_PATTERN_INVALID');
    expect((await search('plate=京A12385&fuzzyPlate=京A12385')).body.code).toBe('PLATE_QUERY_AMBIGUOUS');
    expect((await search('cursor=garbage')).body.code).toBe('CURSOR_INVALID');
  });

  it('pages with a cursor, newest first, without gaps or repeats', async () => {
    const seen: any[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await search(`limit=3${cursor ? `&cursor=${cursor}` : ''}`, t.users.admin);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(seen).toHaveLength(8);
    expect(new Set(seen.map((p) => p.id)).size).toBe(8);
    const times = seen.map((p) => p.passedAt);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('exports CSV and GA/T 1400 JSON, each audited', async () => {
    const csv = await t.api('/api/v1/checkpoint/export/passes.csv?plate=京A12385', { user: t.users.trafficViewer });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (csv.body as string).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('time,plate,plate_colour,plate_confidence,camera,vehicle_class,vehicle_colour,lane,direction,id,passed_at_iso,passed_at,camera_id');
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).every((l) => l.includes('京A12385'))).toBe(true);
    // China time and the camera's name in front, the ids kept behind (the GA/T 1400 export below says 16:00 too).
    const fromCam = lines.find((l) => l.endsWith(`,${trafficCam}`))!;
    expect(fromCam).toMatch(/^2024-05-01 16:00:00,京A12385,/);
    expect(fromCam).toContain(',Chang-an East,');
    expect(fromCam).toContain('2024-05-01T08:00:00.000Z');

    const gat = await t.api('/api/v1/checkpoint/export/gat1400?plate=京A12385&cameraId=' + trafficCam, { user: t.users.trafficViewer });
    const [vehicle] = gat.body.MotorVehicleListObject.MotorVehicleObject;
    expect(vehicle).toMatchObject({ PlateNo: '京A12385', PassTime: '20240501160000', PlateColor: '5', PlateReliability: '95', HasPlate: '1', PlateClass: '02' });
    // Conformant IDs: 20-digit DeviceID (derived from viid.civilCode for a camera without a national ID), 41-digit SourceID, 48-digit MotorVehicleID.
    expect(vehicle.DeviceID).toMatch(/^1100000000119[0-9]{7}$/);
    expect(vehicle.SourceID).toMatch(new RegExp(`^${vehicle.DeviceID}0220240501160000[0-9]{5}$`));
    expect(vehicle.MotorVehicleID).toMatch(new RegExp(`^${vehicle.SourceID}02[0-9]{5}$`));
    expect(vehicle.PlateCharReliability).toBe('京-90,A-90,1-90,2-90,3-90,8-90,5-90');
    expect(vehicle.StorageUrl2).toMatch(/\/api\/v1\/checkpoint\/passes\/.+\/crop$/);

    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'details', 'user_id']).where('action', '=', 'checkpoint.export').execute();
    expect(audit.map((a) => JSON.parse(a.details!).format).sort()).toEqual(['csv', 'gat1400']);
    expect(audit.every((a) => a.user_id === t.users.trafficViewer.id)).toBe(true);
  });

  it('returns the trajectory as GeoJSON in time order with camera locations', async () => {
    const res = await t.api('/api/v1/checkpoint/trajectory?plate=京A12385', { user: t.users.trafficViewer });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('FeatureCollection');
    const points = res.body.features.filter((f: any) => f.geometry?.type === 'Point' || f.geometry === null);
    expect(points.map((f: any) => f.properties.cameraId)).toEqual([trafficCam, trafficCam2, communityCam]);
    expect(points[0].geometry.coordinates).toEqual([116.4, 39.9]);
    expect(points[0].properties.cameraName).toBe('Chang-an East');
    expect(res.body.features.at(-1).geometry.type).toBe('LineString');
  });

  it('serves pass images through an authorized route only', async () => {
    const withCrop = (await search(`plate=京A12385&cameraId=${trafficCam}`)).body.items[0];
    expect(withCrop.hasCrop).toBe(true);
    const image = await fetch(`${t.url}/api/v1/checkpoint/passes/${withCrop.id}/crop`, { headers: { authorization: `Bearer ${t.users.trafficViewer.token}` } });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await image.arrayBuffer())).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    expect((await t.api(`/api/v1/checkpoint/passes/${withCrop.id}/crop`, { user: t.users.psViewer })).status).toBe(403);
    expect((await t.api(`/api/v1/checkpoint/passes/${withCrop.id}/scene`, { user: t.users.trafficViewer })).body.code).toBe('PASS_IMAGE_MISSING');
    expect((await t.api(`/api/v1/checkpoint/passes/${withCrop.id}/crop`)).status).toBe(401);
  });
});
