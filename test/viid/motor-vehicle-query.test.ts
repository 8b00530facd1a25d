import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { chinaTime, TestViidPeer, vehicleObject } from './viid-peer.ts';

const PEER = '32010000001190000301';
const DEVICE_A = '32010000001190000311';
const DEVICE_B = '32010000001190000312';
const OTHER_PEER = '32010000001190000401';
const PASSWORD = 'kakou-Query-2024';
const TOLLGATE_1 = '32010000001210000001';
const TOLLGATE_2 = '32010000001210000002';

// GET /VIID/MotorVehicles with the standard's query conditions: fields, PassTime range, paging with TotalNum.
describeEachDatabase('GA/T 1400 vehicle queries', (kind) => {
  let t: TestHub;
  let peer: TestViidPeer;
  let other: TestViidPeer;
  const base = Date.UTC(2026, 5, 1, 2, 0, 0);
  const pushed: Array<Record<string, unknown>> = [];
  const ids = (reply: { body: any }) => reply.body.MotorVehicleListObject.MotorVehicleObject.map((o: any) => o.MotorVehicleID);
  const newestFirst = (list: Array<Record<string, unknown>>) => [...list].sort((a, b) => String(b.PassTime).localeCompare(String(a.PassTime)) || String(b.MotorVehicleID).localeCompare(String(a.MotorVehicleID))).map((o) => o.MotorVehicleID);

  beforeAll(async () => {
    t = await startTestHub(kind, { features: ['auth', 'directory', 'access', 'audit', 'dashboard', 'cameras', 'ingest', 'checkpoint', 'viid'] });
    for (const [id, departmentId, devices] of [[PEER, t.departments.traffic, [DEVICE_A, DEVICE_B]], [OTHER_PEER, t.departments.ps, []]] as const) {
      const created = await t.api('/api/v1/viid/peers', { user: t.users.admin, body: { id, kind: 'device', name: `q ${id.slice(-3)}`, departmentId, password: PASSWORD, devices } });
      expect(created.status).toBe(201);
    }
    peer = new TestViidPeer(t.url, PEER, PASSWORD);
    other = new TestViidPeer(t.url, OTHER_PEER, PASSWORD);
    expect((await peer.register()).answer.status).toBe(200);
    expect((await other.register()).answer.status).toBe(200);
    // 12 vehicles a minute apart: A gets 8 (blue plates 苏A1000x, lane 1, K33 white; the first 5 at 卡口 site 1, the rest at site 2),
    // B gets 4 (yellow 苏B2000x, lane 3, trucks H20 red, direction 1, no TollgateID); one of B's has no plate.
    for (let i = 0; i < 12; i++) {
      const onA = i < 8;
      pushed.push(vehicleObject(onA ? DEVICE_A : DEVICE_B, base + i * 60_000, onA
        ? { PlateNo: `苏A1000${i}`, TollgateID: i < 5 ? TOLLGATE_1 : TOLLGATE_2, PlateColor: '5', LaneNo: 1, VehicleClass: 'K33', VehicleColor: '2', Direction: '3', PlateCharReliability: '' }
        : i === 11 ? { HasPlate: '0', PlateNo: '', PlateColor: '99', LaneNo: 3, VehicleClass: 'H20', VehicleColor: '4', Direction: '1', PlateCharReliability: '' }
          : { PlateNo: `苏B2000${i}`, PlateColor: '6', LaneNo: 3, VehicleClass: 'H20', VehicleColor: '4', Direction: '1', PlateCharReliability: '' }));
    }
    const reply = await peer.push(pushed);
    expect(reply.body.ResponseStatusListObject.ResponseStatusObject.filter((s: any) => s.StatusCode !== 0)).toEqual([]);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const get = (query: string, who = peer) => who.send('GET', `/VIID/MotorVehicles?${query}`);

  it('pages newest first with RecordStartNo / PageRecordNum and counts all matches in TotalNum', async () => {
    const pages = [];
    for (const start of [1, 6, 11]) {
      const page = await get(`RecordStartNo=${start}&PageRecordNum=5`);
      expect(page.status).toBe(200);
      expect(page.body.MotorVehicleListObject.TotalNum).toBe(12);
      pages.push(...ids(page));
    }
    expect(pages).toEqual(newestFirst(pushed));
    expect(ids(await get('RecordStartNo=13&PageRecordNum=5'))).toEqual([]);
  });

  it('filters by field conditions, with or without the MotorVehicle. prefix', async () => {
    const expectIds = async (query: string, match: (o: Record<string, unknown>) => boolean) => {
      const reply = await get(query);
      expect(reply.status, query).toBe(200);
      const want = newestFirst(pushed.filter(match));
      expect(ids(reply), query).toEqual(want);
      expect(reply.body.MotorVehicleListObject.TotalNum, query).toBe(want.length);
    };
    await expectIds(`MotorVehicle.DeviceID=${DEVICE_B}`, (o) => o.DeviceID === DEVICE_B);
    await expectIds(`DeviceID=${DEVICE_A},${DEVICE_B}&LaneNo=1`, (o) => o.LaneNo === 1);
    await expectIds(`MotorVehicle.PlateNo=${encodeURIComponent('苏A10003')}`, (o) => o.PlateNo === '苏A10003');
    await expectIds(`PlateNo=${encodeURIComponent('苏B%')}`, (o) => String(o.PlateNo).startsWith('苏B'));
    await expectIds('PlateColor=6', (o) => o.PlateColor === '6');
    await expectIds('VehicleClass=H20&VehicleColor=4', (o) => o.VehicleClass === 'H20');
    await expectIds('Direction=1&HasPlate=0', (o) => o.HasPlate === '0');
    await expectIds('MotorVehicle.HasPlate=1&Direction=3', (o) => o.HasPlate === '1' && o.Direction === '3');
    await expectIds(`MotorVehicleID=${pushed[4]!.MotorVehicleID}`, (o) => o === pushed[4]);
  });

  it('filters by TollgateID (one or a comma list, with other conditions) and returns it on each object', async () => {
    const expectIds = async (query: string, match: (o: Record<string, unknown>) => boolean) => {
      const reply = await get(query);
      expect(reply.status, query).toBe(200);
      const want = newestFirst(pushed.filter(match));
      expect(want.length, query).toBeGreaterThan(0);
      expect(ids(reply), query).toEqual(want);
      expect(reply.body.MotorVehicleListObject.TotalNum, query).toBe(want.length);
      return reply.body.MotorVehicleListObject.MotorVehicleObject as Array<Record<string, unknown>>;
    };
    const site1 = await expectIds(`TollgateID=${TOLLGATE_1}`, (o) => o.TollgateID === TOLLGATE_1);
    expect(site1).toHaveLength(5);
    expect(new Set(site1.map((o) => o.TollgateID))).toEqual(new Set([TOLLGATE_1]));
    await expectIds(`MotorVehicle.TollgateID=${TOLLGATE_2}`, (o) => o.TollgateID === TOLLGATE_2);
    await expectIds(`TollgateID=${TOLLGATE_1},${TOLLGATE_2}&DeviceID=${DEVICE_A}`, (o) => o.DeviceID === DEVICE_A);
    await expectIds(`TollgateID=${TOLLGATE_2}&PlateNo=${encodeURIComponent('苏A10007')}`, (o) => o.PlateNo === '苏A10007');
    const none = await get(`TollgateID=32010000001210000099`);
    expect(none.body.MotorVehicleListObject).toEqual({ MotorVehicleObject: [], TotalNum: 0 });
    for (const query of ['TollgateID=123', 'TollgateID=,']) {
      const refused = await get(query);
      expect(refused.status, query).toBe(400);
      expect(refused.body.ResponseStatusObject, query).toMatchObject({ StatusCode: 8 });
    }
  });

  it('takes the PassTime range as BeginTime/EndTime or PassTime>= / <= (both ends included)', async () => {
    const within = (o: Record<string, unknown>) => String(o.PassTime) >= chinaTime(base + 3 * 60_000) && String(o.PassTime) <= chinaTime(base + 6 * 60_000);
    const a = await get(`BeginTime=${chinaTime(base + 3 * 60_000)}&EndTime=${chinaTime(base + 6 * 60_000)}`);
    expect(ids(a)).toEqual(newestFirst(pushed.filter(within)));
    expect(ids(a)).toHaveLength(4);
    const b = await get(`MotorVehicle.PassTime>=${chinaTime(base + 3 * 60_000)}&MotorVehicle.PassTime<=${chinaTime(base + 6 * 60_000)}`);
    expect(ids(b)).toEqual(ids(a));
  });

  it('refuses unknown conditions and bad values with a status object; another department sees nothing', async () => {
    for (const query of ['Colour=5', 'PageRecordNum=501', 'RecordStartNo=0', 'DeviceID=123', 'BeginTime=yesterday', `BeginTime=${chinaTime(base + 60_000)}&EndTime=${chinaTime(base)}`, 'Direction=12']) {
      const refused = await get(query);
      expect(refused.status, query).toBe(400);
      expect(refused.body.ResponseStatusObject, query).toMatchObject({ StatusCode: 8 });
    }
    const seen = await get(`DeviceID=${DEVICE_A}`, other);
    expect(seen.status).toBe(200);
    expect(seen.body.MotorVehicleListObject).toEqual({ MotorVehicleObject: [], TotalNum: 0 });
  });
});
