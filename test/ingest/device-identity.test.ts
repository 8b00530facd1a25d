import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulatedCameras, type SimulatedCameras } from '../../devtools/sim/sim-cameras.ts';
import { stableCameraId } from '../../ingest/discovery/device-identity.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { startIngestHub } from './ingest-hub.ts';

const CREDENTIALS = { username: 'operator', password: 'Op3rator-Pw' };
const startSim = () => startSimulatedCameras({ count: 1, targetsFile: false, namePrefix: 'Identity cam', ...CREDENTIALS });

it('a device\'s camera id follows from maker and serial, else from its endpoint reference', () => {
  const a = stableCameraId({ endpointRef: 'urn:uuid:1', manufacturer: 'SimCam', serial: 'ABC' });
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(stableCameraId({ endpointRef: 'urn:uuid:2', manufacturer: 'simcam ', serial: 'ABC' })).toBe(a);
  expect(stableCameraId({ endpointRef: 'urn:uuid:1', manufacturer: 'Other', serial: 'ABC' })).not.toBe(a);
  expect(stableCameraId({ endpointRef: 'urn:uuid:1', manufacturer: 'SimCam', serial: null })).not.toBe(stableCameraId({ endpointRef: 'urn:uuid:2', manufacturer: 'SimCam', serial: null }));
});

/**
 * Issue 17: a real camera re-discovered after an outage (a new address, a new endpoint reference after a reset)
 * or adopted again after it was removed stays the same camera, with the same id.
 */
describeEachDatabase('camera identity across re-discovery', (kind) => {
  let t: TestHub;
  let sim: SimulatedCameras | undefined;
  beforeAll(async () => { t = await startIngestHub(kind); });
  afterAll(async () => {
    await sim?.stop();
    await t?.stop();
  });

  const discoverAndAdopt = async (user = t.users.psApprover, body: Record<string, unknown> = {}) => {
    const device = sim!.cameras[0]!;
    const scan = await t.api('/api/v1/discovery/scan', { user: t.users.admin, body: { targets: [`${device.discovery.host}:${device.discovery.port}`], multicast: false, timeoutMs: 2_000 } });
    expect(scan.status).toBe(200);
    const candidate = scan.body.candidates[0];
    return t.api(`/api/v1/discovery/candidates/${candidate.id}/adopt`, { user, body: { departmentId: t.departments.ps, category: 'public_security', ...CREDENTIALS, ...body } });
  };

  it('adopts a device back onto its camera after an outage, a new address and a removal', async () => {
    sim = await startSim();
    const first = await discoverAndAdopt(t.users.psApprover, { name: 'Harbour gate', lat: 31.24, lon: 121.49 });
    expect(first.status).toBe(201);
    expect(first.body.readopted).toBe(false);
    const cameraId = first.body.cameraId as string;
    const again = await discoverAndAdopt();
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CANDIDATE_ALREADY_ADOPTED');

    // Outage: the device comes back as a new process, on new ports, with a new endpoint reference; the serial is the same.
    const oldStream = (await t.hub.ctx.cameras.find(cameraId))!.stream_url;
    await sim.stop();
    sim = await startSim();
    const foreign = await discoverAndAdopt(t.users.trafficApprover, { departmentId: t.departments.traffic, category: 'traffic' });
    expect(foreign.status).toBe(403);
    const back = await discoverAndAdopt();
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ cameraId, readopted: true, departmentId: t.departments.ps, name: 'Harbour gate' });
    const row = (await t.hub.ctx.cameras.find(cameraId))!;
    expect(row.stream_url).toBe(sim.cameras[0]!.rtspUrl);
    expect(row.stream_url).not.toBe(oldStream);
    expect(row.onvif_xaddr).toBe(sim.cameras[0]!.xaddr);
    expect(await t.hub.ctx.db.selectFrom('cameras').select('id').execute()).toHaveLength(1);

    // Removed and adopted again: the same id, so its earlier passes and grants by camera id apply again.
    expect((await t.api(`/api/v1/cameras/${cameraId}`, { method: 'DELETE', user: t.users.psApprover })).status).toBe(200);
    const readded = await discoverAndAdopt();
    expect(readded.status).toBe(201);
    expect(readded.body).toMatchObject({ cameraId, readopted: false });
  }, 120_000);
});
