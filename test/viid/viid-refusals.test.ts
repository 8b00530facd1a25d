import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { storedPictures } from './stored-pictures.ts';
import { claimedPng, jpegBase64, subImages, TestViidPeer, trickledPush, vehicleObject } from './viid-peer.ts';

const A = { id: '32010000001190000002', device: '32010000001190000201', password: 'peer-A-digest-pw' };
const B = { id: '44030000001190000003', device: '44030000001190000301', password: 'peer-B-digest-pw' };

/**
 * The bad input against /VIID, each answered with the standard's status object, the right
 * StatusCode and HTTP status, and nothing half-written (no pass row, no picture file).
 */
describeEachDatabase('GA/T 1400 inbound refusals', (kind) => {
  let t: TestHub;
  let a: TestViidPeer;
  let b: TestViidPeer;
  const passCount = async () => (await t.hub.ctx.db.selectFrom('checkpoint_passes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

  beforeAll(async () => {
    t = await startTestHub(kind, {
      features: ['auth', 'directory', 'access', 'audit', 'cameras', 'checkpoint', 'viid'],
      overrides: { viid: { nonceTtlSeconds: 5, keepaliveTimeoutSeconds: 10, bodyTimeoutSeconds: 2, maxImageBytes: 1024 * 1024 } },
    });
    for (const [p, department] of [[A, t.departments.traffic], [B, t.departments.ps]] as const) {
      const created = await t.api('/api/v1/viid/peers', { user: t.users.admin, body: { id: p.id, kind: 'device', name: `peer ${p.id}`, departmentId: department, password: p.password, devices: [p.device] } });
      expect(created.status).toBe(201);
    }
    a = new TestViidPeer(t.url, A.id, A.password);
    b = new TestViidPeer(t.url, B.id, B.password);
    expect((await a.register()).answer.status).toBe(200);
    expect((await b.register()).answer.status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a device reports through one peer, and a peer never for another department\'s camera', async () => {
    const claimed = await t.api(`/api/v1/viid/peers/${A.id}`, { method: 'PATCH', user: t.users.admin, body: { devices: [A.device, B.device] } });
    expect(claimed.status).toBe(409);
    expect(claimed.body.code).toBe('VIID_DEVICE_CLAIMED');
    const camera = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'PS cam', departmentId: t.departments.ps, category: 'public_security', streamUrl: 'rtsp://127.0.0.1:9/live' } });
    await t.hub.ctx.db.updateTable('cameras').set({ national_id: '44030000001320000009' }).where('id', '=', camera.body.id).execute();
    const foreign = await t.api(`/api/v1/viid/peers/${A.id}`, { method: 'PATCH', user: t.users.admin, body: { devices: [A.device, '44030000001320000009'] } });
    expect(foreign.status).toBe(409);
    expect(foreign.body.code).toBe('VIID_DEVICE_OTHER_DEPARTMENT');
  });

  it('refuses a push for another peer\'s device (403, StatusCode 4), a 47-digit ID (400, 8) and keeps the good object of a mixed batch', async () => {
    const before = await passCount();
    const stolen = await a.push([vehicleObject(B.device, Date.now())]);
    expect(stolen.status).toBe(403);
    expect(stolen.body.ResponseStatusListObject.ResponseStatusObject[0]).toMatchObject({ StatusCode: 4 });
    expect(stolen.body.ResponseStatusListObject.ResponseStatusObject[0].StatusString).toContain('VIID_DEVICE_NOT_OWNED');

    const short = vehicleObject(A.device, Date.now());
    short.MotorVehicleID = String(short.MotorVehicleID).slice(0, 47);
    const bad = await a.push([short]);
    expect(bad.status).toBe(400);
    expect(bad.body.ResponseStatusListObject.ResponseStatusObject[0]).toMatchObject({ StatusCode: 8 });
    expect(bad.body.ResponseStatusListObject.ResponseStatusObject[0].StatusString).toContain('48 digits');

    const good = vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '14', data: await jpegBase64() }]) });
    const mixed = await a.push([good, short, vehicleObject(A.device, Date.now(), { PassTime: '20240231120000' })]);
    expect(mixed.status).toBe(200);
    expect(mixed.body.ResponseStatusListObject.ResponseStatusObject.map((s: any) => s.StatusCode)).toEqual([0, 8, 8]);
    expect(await passCount()).toBe(before + 1);
  });

  it('answers malformed JSON (7), a non-JSON type (415), an unknown path (404) with status objects', async () => {
    const malformed = await a.send('POST', '/VIID/MotorVehicles', '{"MotorVehicleListObject": {');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/VIID\+JSON/i);
    expect(malformed.body.ResponseStatusObject).toMatchObject({ StatusCode: 7, RequestURL: '/VIID/MotorVehicles' });
    const asJson = await a.send('POST', '/VIID/MotorVehicles', { MotorVehicleListObject: { MotorVehicleObject: [] } }, { 'content-type': 'application/json' });
    expect(asJson.status).toBe(200);
    const plain = await a.send('POST', '/VIID/MotorVehicles', 'hello', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect(plain.body.ResponseStatusObject.StatusCode).toBe(7);
    const missing = await a.send('GET', '/VIID/Nothing/Here');
    expect(missing.status).toBe(404);
    expect(missing.body.ResponseStatusObject).toMatchObject({ StatusCode: 4, RequestURL: '/VIID/Nothing/Here' });
    for (const path of ['/VIID', '/VIID/', '/VIID/MotorVehicles/x/y']) {
      const other = await a.send('GET', path);
      expect([path, other.status, other.body?.ResponseStatusObject?.StatusCode]).toEqual([path, 404, 4]);
    }
    const noList = await a.send('POST', '/VIID/MotorVehicles', { Something: 1 });
    expect(noList.status).toBe(400);
    expect(noList.body.ResponseStatusObject.StatusCode).toBe(8);
  });

  it('refuses a 30 MB image, an oversized picture, a base64 bomb and a 10,000-object batch without writing anything', async () => {
    const before = { passes: await passCount(), pictures: await storedPictures(t) };
    const huge = Buffer.alloc(30 * 1024 * 1024, 7).toString('base64');
    const thirty = await a.push([vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '14', data: huge }]) })]);
    expect(thirty.status).toBe(413);
    expect(thirty.body.ResponseStatusObject).toMatchObject({ StatusCode: 8 });

    const twoMb = Buffer.alloc(2 * 1024 * 1024, 9).toString('base64');
    const bomb = claimedPng(100_000, 100_000).toString('base64');
    // A JPEG whose frame header claims 65,000 × 65,000 pixels.
    const claimedJpeg = Buffer.from(await jpegBase64(), 'base64');
    const sof = claimedJpeg.indexOf(Buffer.from([0xff, 0xc0]));
    claimedJpeg.writeUInt16BE(65_000, sof + 5);
    claimedJpeg.writeUInt16BE(65_000, sof + 7);
    const pictures = await a.push([
      vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '14', data: twoMb }]) }),
      vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '02', data: await jpegBase64() }, { type: '14', data: bomb }]) }),
      vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '14', data: '%%% not base64 %%%' }]) }),
      vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '14', data: claimedJpeg.toString('base64') }]) }),
    ]);
    expect(pictures.status).toBe(400);
    const texts = pictures.body.ResponseStatusListObject.ResponseStatusObject.map((s: any) => `${s.StatusCode} ${s.StatusString.split(':')[0]}`);
    expect(texts).toEqual(['8 VIID_IMAGE_TOO_LARGE', '8 VIID_IMAGE_TOO_LARGE', '8 VIID_IMAGE_INVALID', '8 VIID_IMAGE_TOO_LARGE']);

    const many = Array.from({ length: 10_000 }, () => vehicleObject(A.device, Date.now()));
    const batch = await a.push(many);
    expect(batch.status).toBe(413);
    expect(batch.body.ResponseStatusObject).toMatchObject({ StatusCode: 8 });
    expect(batch.body.ResponseStatusObject.StatusString).toContain('VIID_BATCH_TOO_LARGE');
    // Not a byte appended to a picture volume either: every refusal came before the writer.
    expect({ passes: await passCount(), pictures: await storedPictures(t) }).toEqual(before);
  }, 120_000);

  it('a database failure answers 500 (StatusCode 3), no row names the pictures it wrote, and the re-sent batch lands once', async () => {
    const picturesOf = async () => { const { named, files } = await storedPictures(t); return { named, files }; };
    const before = { passes: await passCount(), pictures: await picturesOf() };
    const objects = [vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '14', data: await jpegBase64() }, { type: '02', data: await jpegBase64(40, 12) }]) })];
    // A mock only to reach the error path: the store's insert fails as a lost database would.
    const failing = vi.spyOn(t.hub.services.checkpoint!, 'ingestPasses').mockRejectedValueOnce(new Error('connection terminated'));
    const failed = await a.push(objects);
    failing.mockRestore();
    expect(failed.status).toBe(500);
    expect(failed.body.ResponseStatusObject).toMatchObject({ StatusCode: 3 });
    // The failed request's pictures were appended to a volume; no row names them, and they go with their day's volume.
    expect({ passes: await passCount(), pictures: await picturesOf() }).toEqual(before);
    const retried = await a.push(objects);
    expect(retried.status).toBe(200);
    expect({ passes: await passCount(), pictures: await picturesOf() }).toEqual({ passes: before.passes + 1, pictures: { named: before.pictures.named + 2, files: before.pictures.files } });
  });

  it('an object repeated within one request shares the first one\'s fate', async () => {
    const before = await passCount();
    const good = vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '14', data: await jpegBase64() }]) });
    const bad = vehicleObject(A.device, Date.now(), { SubImageList: subImages([{ type: '14', data: '%%% not base64 %%%' }]) });
    const reply = await a.push([good, bad, good, bad]);
    expect(reply.body.ResponseStatusListObject.ResponseStatusObject.map((s: any) => s.StatusCode)).toEqual([0, 8, 0, 8]);
    expect(await passCount()).toBe(before + 1);
  });

  it('cuts a trickling body with 408 and a status object', async () => {
    const answer = await trickledPush(t.url, A.id);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"StatusCode":1');
    expect(answer).toContain('VIID_BODY_TIMEOUT');
  }, 30_000);

  it('refuses an expired nonce and, after missed keepalives, the lapsed session (peer offline, audited)', async () => {
    const challenge = await b.send('POST', '/VIID/System/Register', { RegisterObject: { DeviceID: B.id } });
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const late = await b.send('POST', '/VIID/System/Register', { RegisterObject: { DeviceID: B.id } }, { authorization: b.authorization(challenge.headers.get('www-authenticate')!, 'POST', '/VIID/System/Register') });
    expect(late.status).toBe(401);
    expect(late.headers.get('www-authenticate')).toContain('stale=true');
    expect(late.body.ResponseStatusObject.StatusString).toMatch(/VIID_NONCE_(EXPIRED|UNKNOWN)/);

    // A keeps alive; B's session (registered in beforeAll) lapses.
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline && status !== 'offline') {
      await a.keepalive();
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      status = (await t.api(`/api/v1/viid/peers/${B.id}`, { user: t.users.admin })).body.status;
    }
    expect(status).toBe('offline');
    const lapsed = await b.push([vehicleObject(B.device, Date.now())]);
    expect(lapsed.status).toBe(401);
    expect(lapsed.body.ResponseStatusObject.StatusString).toContain('VIID_NOT_REGISTERED');
    expect((await a.keepalive()).status).toBe(200);
    const offline = await t.hub.ctx.db.selectFrom('audit_events').select('target_id').where('action', '=', 'viid.offline').execute();
    expect(offline.map((o) => o.target_id)).toEqual([B.id]);
  }, 60_000);

  // Last: it leaves this address's registration counter throttled.
  it('slows digest guessing like logins: past the free failures a 429 with Retry-After and StatusCode 2', async () => {
    const guesser = new TestViidPeer(t.url, A.id, 'wrong-guess');
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await guesser.register()).answer.status);
    expect(statuses.slice(0, 4).every((s) => s === 401)).toBe(true);
    expect(statuses).toContain(429);
    const throttled = await guesser.register();
    expect(throttled.answer.status).toBe(429);
    expect(Number(throttled.answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.answer.body.ResponseStatusObject).toMatchObject({ StatusCode: 2 });
    // The right password waits too while the counter does (no oracle for the guesser).
    const right = await a.register();
    expect(right.answer.status).toBe(429);
  });
});
