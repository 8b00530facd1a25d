import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { jpegBase64, subImages, TestViidPeer, vehicleObject } from './viid-peer.ts';

const PEER = '32010000001190000001';
const DEVICE = '32010000001190000101';
const PASSWORD = 'kakou-Digest-2024';

/**
 * A 卡口 device as the standard has it, against a real hub: admin adds the peer, the peer registers with
 * HTTP Digest (computed by the test's own client), keeps alive, pushes vehicles with base64 pictures; the
 * passes are searchable through the normal checkpoint API with their pictures, the watchlist fires, the
 * department rules hold, and unregistering ends the session.
 */
describeEachDatabase('GA/T 1400 inbound: register → keepalive → push → search → alert → unregister', (kind) => {
  let t: TestHub;
  let peer: TestViidPeer;

  beforeAll(async () => {
    t = await startTestHub(kind, { features: ['auth', 'directory', 'access', 'audit', 'dashboard', 'cameras', 'ingest', 'checkpoint', 'viid'] });
    peer = new TestViidPeer(t.url, PEER, PASSWORD);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('admin keeps peers: password in, never out; admins only', async () => {
    const body = { id: PEER, kind: 'device', name: '城东卡口 1 号', departmentId: t.departments.traffic, password: PASSWORD, devices: [DEVICE] };
    expect((await t.api('/api/v1/viid/peers', { user: t.users.trafficApprover, body })).status).toBe(403);
    const created = await t.api('/api/v1/viid/peers', { user: t.users.admin, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: PEER, kind: 'device', departmentId: t.departments.traffic, devices: [DEVICE], status: 'unregistered' });
    expect(JSON.stringify(created.body)).not.toContain(PASSWORD);
    const listed = await t.api('/api/v1/viid/peers', { user: t.users.admin });
    expect(JSON.stringify(listed.body)).not.toContain(PASSWORD);
    const row = await t.hub.ctx.db.selectFrom('viid_peers').select('password_enc').where('id', '=', PEER).executeTakeFirstOrThrow();
    expect(row.password_enc).not.toContain(PASSWORD);
    expect((await t.api('/api/v1/viid/peers', { user: t.users.admin, body })).status).toBe(409);
    expect((await t.api('/api/v1/viid/peers', { user: t.users.admin, body: { ...body, id: '1234' } })).status).toBe(400);
  });

  it('gives our own cameras a stored 20-digit national ID from the civil code', async () => {
    const camera = await t.api('/api/v1/cameras', { user: t.users.trafficApprover, body: { name: 'Gate cam', departmentId: t.departments.traffic, category: 'traffic', streamUrl: 'rtsp://127.0.0.1:9/live' } });
    expect(camera.status).toBe(201);
    const deadline = Date.now() + 10_000;
    let nationalId: string | null = null;
    while (!nationalId && Date.now() < deadline) {
      nationalId = (await t.hub.ctx.db.selectFrom('cameras').select('national_id').where('id', '=', camera.body.id).executeTakeFirstOrThrow()).national_id;
      if (!nationalId) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(nationalId).toMatch(/^1100000000119[0-9]{7}$/);
    await t.api(`/api/v1/cameras/${camera.body.id}`, { method: 'DELETE', user: t.users.admin });
  });

  it('registers with HTTP Digest: 401 challenge, then 200; a replayed answer and a wrong password are refused', async () => {
    const anonymous = await peer.keepalive();
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.ResponseStatusObject.StatusCode).not.toBe(0);

    const { challenge, answer } = await peer.register();
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toMatch(/^Digest realm="viid", qop="auth", nonce="[^"]+", opaque="[^"]+"/);
    expect(challenge.body.ResponseStatusObject).toMatchObject({ RequestURL: '/VIID/System/Register', StatusCode: 4 });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/VIID\+JSON/i);
    expect(answer.body.ResponseStatusObject).toMatchObject({ Id: PEER, StatusCode: 0, RequestURL: '/VIID/System/Register' });
    expect(answer.body.ResponseStatusObject.LocalTime).toMatch(/^[0-9]{14}$/);

    const replay = await peer.send('POST', '/VIID/System/Register', { RegisterObject: { DeviceID: PEER } }, { authorization: peer.lastAuthorization });
    expect(replay.status).toBe(401);
    expect(replay.body.ResponseStatusObject.StatusString).toContain('VIID_NONCE_REPLAYED');
    const wrong = new TestViidPeer(t.url, PEER, 'not-the-password');
    expect((await wrong.register()).answer.status).toBe(401);

    const peerRow = await t.api(`/api/v1/viid/peers/${PEER}`, { user: t.users.admin });
    expect(peerRow.body).toMatchObject({ status: 'online', registeredFrom: '127.0.0.1' });
    const time = await peer.send('GET', '/VIID/System/Time');
    expect(time.body.SystemTimeObject).toMatchObject({ VIIDServerID: '11000000005030000001', TimeZone: 'Asia/Shanghai' });
    expect(time.body.SystemTimeObject.LocalTime).toMatch(/^[0-9]{14}$/);
    expect((await peer.keepalive()).body.ResponseStatusObject).toMatchObject({ StatusCode: 0, Id: PEER });
  });

  it('turns pushed vehicles into passes with their pictures, idempotently; the watchlist fires; other departments see nothing', async () => {
    const watch = await t.api('/api/v1/checkpoint/watchlist', { user: t.users.trafficApprover, body: { plate: '苏A12345', matchKind: 'exact', reason: 'GA/T 1400 test case 77', validUntil: Date.now() + 3_600_000 } });
    expect(watch.status).toBe(201);
    const crop = await jpegBase64(96, 32, { r: 20, g: 40, b: 220 });
    const scene = await jpegBase64(320, 240, { r: 120, g: 120, b: 120 });
    // Watchlists match passes from their creation on.
    const at = Date.now() + 2_000;
    const plated = vehicleObject(DEVICE, at, { SubImageList: subImages([{ type: '02', data: crop }, { type: '14', data: scene }]) });
    const other = vehicleObject(DEVICE, at + 5_000, { PlateNo: '苏B54321', PlateColor: '2', PlateCharReliability: '' });
    const unplated = vehicleObject(DEVICE, at + 9_000, { HasPlate: '0', PlateNo: '', PlateColor: '99', SubImageList: [{ Type: '14', Data: scene }] });
    const pushed = await peer.push([plated, other, unplated]);
    expect(pushed.status).toBe(200);
    const statuses = pushed.body.ResponseStatusListObject.ResponseStatusObject;
    expect(statuses.map((s: any) => [s.Id, s.StatusCode])).toEqual([[plated.MotorVehicleID, 0], [other.MotorVehicleID, 0], [unplated.MotorVehicleID, 0]]);

    const again = await peer.push([plated]);
    expect(again.body.ResponseStatusListObject.ResponseStatusObject[0]).toMatchObject({ StatusCode: 0, StatusString: 'OK (already stored)' });
    const stored = await t.hub.ctx.db.selectFrom('checkpoint_passes').selectAll().execute();
    expect(stored).toHaveLength(3);

    const found = await t.api('/api/v1/checkpoint/passes?plate=苏A12345', { user: t.users.trafficViewer });
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    const pass = found.body.items[0];
    expect(pass).toMatchObject({ id: plated.MotorVehicleID, plate: '苏A12345', plateColour: 'blue', plateConfidence: 0.92, vehicleClass: 'K33', vehicleColour: 'white', lane: 2, direction: 'south_to_north', hasCrop: true, hasScene: true });
    expect(pass.passedAt).toBe(Math.floor(at / 1_000) * 1_000);
    expect(pass.charConfidences).toEqual([0.9, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96]);
    expect(pass.boxes.vehicle).toEqual({ x1: 100, y1: 80, x2: 500, y2: 400 });
    const cropImage = await fetch(`${t.url}/api/v1/checkpoint/passes/${pass.id}/crop`, { headers: { authorization: `Bearer ${t.users.trafficViewer.token}` } });
    expect(cropImage.status).toBe(200);
    expect(Buffer.from(await cropImage.arrayBuffer()).equals(Buffer.from(crop, 'base64'))).toBe(true);

    const noPlate = stored.find((row) => row.id === unplated.MotorVehicleID)!;
    expect(noPlate).toMatchObject({ plate: '', plate_colour: 'unknown' });
    expect(noPlate.scene_image_path).not.toBeNull();

    const alerts = await t.api('/api/v1/checkpoint/alerts', { user: t.users.trafficViewer });
    expect(alerts.body.map((a: any) => [a.plate, a.passId])).toEqual([['苏A12345', plated.MotorVehicleID]]);
    expect((await t.api('/api/v1/checkpoint/passes?plate=苏A12345', { user: t.users.psViewer })).body.items).toEqual([]);

    const [camera] = await t.hub.ctx.db.selectFrom('cameras').selectAll().where('national_id', '=', DEVICE).execute();
    expect(camera).toMatchObject({ source: 'gat1400', stream_url: '', department_id: t.departments.traffic, analytics_enabled: 0 });
    // Its peer's session decides its status (online while registered); the health probe, which would find no
    // stream and mark it offline, leaves it alone.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await t.hub.ctx.db.selectFrom('cameras').select('status').where('id', '=', camera!.id).executeTakeFirstOrThrow()).status).toBe('online');
    // Nothing can pull it either (relay, snapshots and analytics all ask for the pull URL).
    await expect(t.hub.services.cameras!.pullUrl(camera!.id)).rejects.toMatchObject({ code: 'CAMERA_NO_STREAM', status: 409 });

    const exported = await t.api(`/api/v1/checkpoint/export/gat1400?plate=苏A12345`, { user: t.users.trafficViewer });
    const object = exported.body.MotorVehicleListObject.MotorVehicleObject[0];
    expect(object).toMatchObject({ MotorVehicleID: plated.MotorVehicleID, SourceID: String(plated.MotorVehicleID).slice(0, 41), DeviceID: DEVICE, PlateNo: '苏A12345', PlateColor: '5', VehicleClass: 'K33', VehicleColor: '2', Direction: '3', LeftTopX: 100, RightBtmY: 400, HasPlate: '1' });
    expect(object.SubImageList.SubImageInfoObject.map((i: any) => i.Type).sort()).toEqual(['02', '14']);

    const byId = await peer.send('GET', `/VIID/MotorVehicles/${plated.MotorVehicleID}`);
    expect(byId.status).toBe(200);
    expect(byId.body.MotorVehicleObject).toMatchObject({ MotorVehicleID: plated.MotorVehicleID, PlateNo: '苏A12345' });
    // One of our own passes (from the department's RTSP camera) is found by its derived 48-digit ID too.
    const own = await t.api('/api/v1/cameras', { user: t.users.trafficApprover, body: { name: 'Own gate cam', departmentId: t.departments.traffic, category: 'traffic', streamUrl: 'rtsp://127.0.0.1:9/own' } });
    const ownNationalId = async () => (await t.hub.ctx.db.selectFrom('cameras').select('national_id').where('id', '=', own.body.id).executeTakeFirstOrThrow()).national_id;
    for (let i = 0; i < 200 && !(await ownNationalId()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await t.hub.services.checkpoint!.ingestPasses([{ id: `${own.body.id}:own:1`, cameraId: own.body.id, passedAt: at + 500, plate: '苏D77777', plateColour: 'blue', plateConfidence: 0.9, charConfidences: [] }]);
    const exportedOwn = await t.api('/api/v1/checkpoint/export/gat1400?plate=苏D77777', { user: t.users.trafficViewer });
    const ownId = exportedOwn.body.MotorVehicleListObject.MotorVehicleObject[0].MotorVehicleID;
    expect(ownId).toMatch(/^[0-9]{48}$/);
    expect((await peer.send('GET', `/VIID/MotorVehicles/${ownId}`)).body.MotorVehicleObject).toMatchObject({ MotorVehicleID: ownId, PlateNo: '苏D77777' });
    expect((await peer.send('GET', `/VIID/MotorVehicles/${ownId.slice(0, 43)}99999`)).status).toBe(404);
    const query = await peer.send('GET', '/VIID/MotorVehicles?MotorVehicle.PlateNo=苏B54321');
    expect(query.body.MotorVehicleListObject.MotorVehicleObject.map((o: any) => o.MotorVehicleID)).toEqual([other.MotorVehicleID]);
  });

  it('fetches pictures from the peer\'s URLs through the outbound guard; an unfetchable one costs the picture, not the pass', async () => {
    const jpeg = Buffer.from(await jpegBase64(200, 150, { r: 200, g: 30, b: 30 }), 'base64');
    const requests: string[] = [];
    const server: Server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/pic/scene.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
      else if (req.url === '/pic/moved.jpg') res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data' }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const at = Date.now() + 3_000;
      const fetched = vehicleObject(DEVICE, at, { PlateNo: '苏C10001', StorageUrl1: `${base}/pic/scene.jpg` });
      const moved = vehicleObject(DEVICE, at + 1_000, { PlateNo: '苏C10002', SubImageList: subImages([{ type: '14', url: `${base}/pic/moved.jpg` }]) });
      const internal = vehicleObject(DEVICE, at + 2_000, { PlateNo: '苏C10003', StorageUrl3: 'http://169.254.169.254/latest/meta-data' });
      const reply = await peer.push([fetched, moved, internal]);
      expect(reply.status).toBe(200);
      const statuses = reply.body.ResponseStatusListObject.ResponseStatusObject;
      expect(statuses.map((s: any) => s.StatusCode)).toEqual([0, 0, 0]);
      expect(statuses[0].StatusString).toBe('OK');
      expect(statuses[1].StatusString).toMatch(/^OK \(scene picture not stored/);
      expect(statuses[2].StatusString).toMatch(/^OK \(scene picture not stored: the hub does not fetch/);
      expect(requests).toEqual(['/pic/scene.jpg', '/pic/moved.jpg']);
      const rows = await t.hub.ctx.db.selectFrom('checkpoint_passes').select(['plate', 'scene_image_path']).where('plate', 'like', '苏C1000%').orderBy('plate').execute();
      expect(rows.map((r) => [r.plate, r.scene_image_path !== null])).toEqual([['苏C10001', true], ['苏C10002', false], ['苏C10003', false]]);
      const scene = await fetch(`${t.url}/api/v1/checkpoint/passes/${fetched.MotorVehicleID}/scene`, { headers: { authorization: `Bearer ${t.users.trafficViewer.token}` } });
      expect(Buffer.from(await scene.arrayBuffer()).equals(jpeg)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('registers its 卡口 directory: APEs name and place the camera, Tollgates and Lanes are listed back', async () => {
    const apes = await peer.send('POST', '/VIID/APEs', { APEListObject: { APEObject: [{ ApeID: DEVICE, Name: '城东卡口 北向 1', Longitude: 118.8, Latitude: 32.05 }, { ApeID: '32010000001190009999', Name: 'not mine' }] } });
    expect(apes.status).toBe(200);
    expect(apes.body.ResponseStatusListObject.ResponseStatusObject.map((s: any) => s.StatusCode)).toEqual([0, 4]);
    const camera = await t.hub.ctx.db.selectFrom('cameras').select(['name', 'lat', 'lon']).where('national_id', '=', DEVICE).executeTakeFirstOrThrow();
    expect(camera).toEqual({ name: '城东卡口 北向 1', lat: 32.05, lon: 118.8 });

    // The admin lets the peer report for its site too.
    expect((await t.api(`/api/v1/viid/peers/${PEER}`, { method: 'PATCH', user: t.users.admin, body: { devices: [DEVICE, '32010000001210000001'] } })).status).toBe(200);
    expect((await peer.keepalive()).status).toBe(401);
    expect((await peer.register()).answer.status).toBe(200);
    const gate = await peer.send('POST', '/VIID/Tollgates', { TollgateListObject: { TollgateObject: [{ TollgateID: '32010000001210000001', Name: '城东卡口', Longitude: 118.8, Latitude: 32.05, LaneNum: 2, TollgateCat: '10' }] } });
    expect(gate.body.ResponseStatusListObject.ResponseStatusObject[0]).toMatchObject({ StatusCode: 0 });
    const lanes = await peer.send('POST', '/VIID/Lanes', { LaneListObject: { LaneObject: [{ TollgateID: '32010000001210000001', LaneNo: 1, Name: '北向 1 道', Direction: '3', ApeID: DEVICE }] } });
    expect(lanes.body.ResponseStatusListObject.ResponseStatusObject[0]).toMatchObject({ StatusCode: 0 });
    expect((await peer.send('GET', '/VIID/Tollgates')).body.TollgateListObject.TollgateObject).toEqual([expect.objectContaining({ TollgateID: '32010000001210000001', Name: '城东卡口', LaneNum: 2 })]);
    expect((await peer.send('GET', '/VIID/Lanes')).body.LaneListObject.LaneObject).toEqual([expect.objectContaining({ LaneNo: 1, ApeID: DEVICE, Direction: '3' })]);
    expect((await peer.send('GET', '/VIID/APEs')).body.APEListObject.APEObject).toEqual([expect.objectContaining({ ApeID: DEVICE, Name: '城东卡口 北向 1' })]);
  });

  it('unregisters: the session ends, registration and its end are audited', async () => {
    const bye = await peer.unregister();
    expect(bye.status).toBe(200);
    expect(bye.body.ResponseStatusObject.StatusCode).toBe(0);
    expect((await peer.keepalive()).status).toBe(401);
    expect((await peer.push([vehicleObject(DEVICE, Date.now())])).status).toBe(401);
    const status = async () => (await t.hub.ctx.db.selectFrom('cameras').select('status').where('national_id', '=', DEVICE).executeTakeFirstOrThrow()).status;
    const deadline = Date.now() + 10_000;
    while (await status() !== 'offline' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await status()).toBe('offline');
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'target_id', 'client_ip', 'department_id']).where('target_type', '=', 'viid_peer').orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['viid.peer.create', 'viid.register', 'viid.peer.update', 'viid.register', 'viid.unregister']);
    expect(audit.filter((a) => a.action === 'viid.register').every((a) => a.client_ip === '127.0.0.1' && a.department_id === t.departments.traffic)).toBe(true);
    expect((await t.api(`/api/v1/viid/peers/${PEER}`, { user: t.users.admin })).body.status).toBe('unregistered');
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.users.admin.token}` } });
    const text = await metrics.text();
    expect(text).toContain('hub_viid_peers_online{kind="device"} 0');
    expect(text).toMatch(/hub_viid_objects_total\{result="accepted"\} 6\n/);
    expect(text).toMatch(/hub_viid_objects_total\{result="duplicate"\} 1\n/);
    expect(text).toMatch(/hub_viid_registrations_total\{result="ok"\} 2\n/);
  });
});

