import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RtspPullClient } from '../../devtools/sim/rtsp-pull-client.ts';
import { startSimulatedCameras, type SimulatedCameras } from '../../devtools/sim/sim-cameras.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { eventually, registryOf, startIngestHub } from './ingest-hub.ts';

let sim: SimulatedCameras;
beforeAll(async () => {
  sim = await startSimulatedCameras({ count: 2, targetsFile: false, namePrefix: 'Adopt cam', username: 'operator', password: 'Op3rator-Pw' });
});
afterAll(async () => { await sim?.stop(); });

describeEachDatabase('ONVIF discovery and adoption', (kind) => {
  let t: TestHub;
  let candidateId: string;
  let cameraId: string;
  beforeAll(async () => { t = await startIngestHub(kind); });
  afterAll(async () => { await t?.stop(); });
  const targets = () => sim.cameras.map((c) => `${c.discovery.host}:${c.discovery.port}`);

  it('discovers the simulated devices over WS-Discovery and lists them as candidates', async () => {
    const denied = await t.api('/api/v1/discovery/scan', { user: t.users.psViewer, body: { targets: targets(), multicast: false } });
    expect(denied.status).toBe(403);
    const scan = await t.api('/api/v1/discovery/scan', { user: t.users.psApprover, body: { targets: targets(), multicast: false, timeoutMs: 2_000 } });
    expect(scan.status).toBe(200);
    expect(scan.body.candidates.map((c: { name: string }) => c.name).sort()).toEqual(['Adopt cam 1', 'Adopt cam 2']);
    expect(scan.body.rejected).toEqual([]);
    const first = scan.body.candidates.find((c: { name: string }) => c.name === 'Adopt cam 1');
    expect(first.xaddr).toBe(sim.cameras[0]!.xaddr);
    expect(first.endpointRef).toBe(`urn:uuid:${sim.cameras[0]!.device.endpointUuid}`);
    expect(first.locations).toEqual(['sim-site/1']);
    candidateId = first.id;
    // A second scan refreshes, it does not duplicate.
    await t.api('/api/v1/discovery/scan', { user: t.users.admin, body: { targets: targets(), multicast: false } });
    const list = await t.api('/api/v1/discovery/candidates', { user: t.users.admin });
    expect(list.body).toHaveLength(2);
  });

  it('refuses a bad target, and a wrong password at adoption', async () => {
    const bad = await t.api('/api/v1/discovery/scan', { user: t.users.admin, body: { targets: ['10.0.0.0/8'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('DISCOVERY_RANGE_TOO_LARGE');
    const wrong = await t.api(`/api/v1/discovery/candidates/${candidateId}/adopt`, {
      user: t.users.psApprover, body: { departmentId: t.departments.ps, category: 'public_security', username: 'operator', password: 'guess' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('ONVIF_AUTH_FAILED');
  });

  it('adopts a candidate into the approver\'s own department only, once', async () => {
    const body = { departmentId: t.departments.ps, category: 'public_security', name: 'North gate', lat: 31.23, lon: 121.47, username: 'operator', password: 'Op3rator-Pw' };
    const foreign = await t.api(`/api/v1/discovery/candidates/${candidateId}/adopt`, { user: t.users.trafficApprover, body });
    expect(foreign.status).toBe(403);
    const adopted = await t.api(`/api/v1/discovery/candidates/${candidateId}/adopt`, { user: t.users.psApprover, body });
    expect(adopted.status).toBe(201);
    expect(adopted.body).toMatchObject({ name: 'North gate', ptz: true, hasSubStream: true, hasSnapshotUri: true, manufacturer: 'SimCam' });
    cameraId = adopted.body.cameraId;
    const again = await t.api(`/api/v1/discovery/candidates/${candidateId}/adopt`, { user: t.users.admin, body });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CANDIDATE_ALREADY_ADOPTED');

    const camera = await t.api(`/api/v1/cameras/${cameraId}`, { user: t.users.psViewer });
    expect(camera.body).toMatchObject({ source: 'onvif', ptz: true, hasCredentials: true, departmentId: t.departments.ps });
    const everything = JSON.stringify([adopted.body, camera.body, (await t.api('/api/v1/discovery/candidates', { user: t.users.admin })).body]);
    expect(everything).not.toContain('Op3rator-Pw');
    expect(everything).not.toContain('rtsp://');
    const row = await t.hub.ctx.db.selectFrom('cameras').selectAll().where('id', '=', cameraId).executeTakeFirstOrThrow();
    expect(row.stream_url).toBe(sim.cameras[0]!.rtspUrl);
    expect(row.credentials_enc).not.toContain('Op3rator');
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'result']).where('target_id', '=', cameraId).execute();
    expect(audit).toContainEqual({ action: 'config.camera.adopt', result: 'ok' });
  });

  it('pulls RTP from the adopted stream with the sealed credentials', async () => {
    const url = new URL(await registryOf(t).pullUrl(cameraId));
    const client = new RtspPullClient(`${url.protocol}//${url.host}${url.pathname}`, { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password), timeoutMs: 10_000 });
    try {
      await client.connect();
      await client.play();
      await eventually(async () => client.stats.rtpPackets > 10, 10_000, 'RTP packets');
    } finally {
      client.close();
    }
  });

  it('serves a resized JPEG snapshot to users with the snapshot scope, audited', async () => {
    const response = await fetch(`${t.url}/api/v1/cameras/${cameraId}/snapshot?width=320`, { headers: { authorization: `Bearer ${t.users.psViewer.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320 });
    const denied = await t.api(`/api/v1/cameras/${cameraId}/snapshot`, { user: t.users.trafficViewer });
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('CAMERA_ACCESS_DENIED');
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['result', 'details']).where('action', '=', 'snapshot').where('target_id', '=', cameraId).execute();
    expect(audit.map((a) => a.result).sort()).toEqual(['denied', 'ok']);
    expect(JSON.parse(audit.find((a) => a.result === 'ok')!.details!)).toMatchObject({ source: 'snapshot-uri', width: 320 });
  });

  it('falls back to one frame of the RTSP stream for cameras without a snapshot URI, leaking no credentials on failure', async () => {
    const manual = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'Plain RTSP', departmentId: t.departments.ps, category: 'other', streamUrl: sim.cameras[1]!.rtspUrl, username: 'operator', password: 'Op3rator-Pw' } });
    const response = await fetch(`${t.url}/api/v1/cameras/${manual.body.id}/snapshot?width=200`, { headers: { authorization: `Bearer ${t.users.psViewer.token}` } });
    expect(response.status).toBe(200);
    expect(await sharp(Buffer.from(await response.arrayBuffer())).metadata()).toMatchObject({ format: 'jpeg', width: 200 });
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'snapshot').where('target_id', '=', manual.body.id).executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details!)).toMatchObject({ source: 'stream' });
    // Three viewers at once (they share one frame grab): each request is still answered and audited.
    const together = await Promise.all([1, 2, 3].map(() => fetch(`${t.url}/api/v1/cameras/${manual.body.id}/snapshot?width=100`, { headers: { authorization: `Bearer ${t.users.psViewer.token}` } })));
    expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const response of together) expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).width).toBe(100);
    const audited = await t.hub.ctx.db.selectFrom('audit_events').select('id').where('action', '=', 'snapshot').where('target_id', '=', manual.body.id).execute();
    expect(audited).toHaveLength(4);

    const dead = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'Dead', departmentId: t.departments.ps, category: 'other', streamUrl: 'rtsp://127.0.0.1:9/none', username: 'operator', password: 'Dead-Pw-123' } });
    const failed = await t.api(`/api/v1/cameras/${dead.body.id}/snapshot`, { user: t.users.psViewer });
    expect([502, 504]).toContain(failed.status);
    expect(failed.body.code).toMatch(/^SNAPSHOT_/);
    expect(JSON.stringify(failed.body)).not.toContain('Dead-Pw-123');
    expect(JSON.stringify(failed.body)).not.toContain('rtsp://');
  });

  it('answers hostile devices at adoption with a clear error within the deadline', async () => {
    const scan = await t.api('/api/v1/discovery/scan', { user: t.users.admin, body: { targets: targets(), multicast: false } });
    const second = scan.body.candidates.find((c: { name: string }) => c.name === 'Adopt cam 2');
    const device = sim.cameras[1]!.device;
    const body = { departmentId: t.departments.ps, category: 'other', username: 'operator', password: 'Op3rator-Pw' };
    try {
      for (const [mode, status, code] of [['oversize', 502, 'DEVICE_RESPONSE_TOO_LARGE'], ['trickle', 504, 'DEVICE_TIMEOUT'], ['doctype-entity', 502, 'XML_DOCTYPE_REFUSED'], ['non-onvif', 502, 'ONVIF_NOT_ONVIF']] as const) {
        device.setMode(mode);
        const result = await t.api(`/api/v1/discovery/candidates/${second.id}/adopt`, { user: t.users.admin, body });
        expect(result.status, mode).toBe(status);
        expect(result.body.code, mode).toBe(code);
      }
    } finally {
      device.setMode('normal');
    }
    expect((await t.api(`/api/v1/discovery/candidates/${second.id}/adopt`, { user: t.users.admin, body })).status).toBe(201);
  });

  it('moves PTZ through ONVIF for users with the ptz scope; 409 for a camera without PTZ', async () => {
    const device = sim.cameras[0]!.device;
    const before = device.ptzCalls.length;
    const move = await t.api(`/api/v1/cameras/${cameraId}/ptz/move`, { user: t.users.psViewer, body: { pan: 0.5, tilt: 0.1, timeoutMs: 800 } });
    expect(move.status).toBe(200);
    expect((await t.api(`/api/v1/cameras/${cameraId}/ptz/stop`, { method: 'POST', user: t.users.psViewer })).status).toBe(200);
    const presets = await t.api(`/api/v1/cameras/${cameraId}/ptz/presets`, { user: t.users.psViewer });
    expect(presets.body).toEqual([{ token: '1', name: 'Gate' }, { token: '2', name: 'Parking' }]);
    expect((await t.api(`/api/v1/cameras/${cameraId}/ptz/presets/1/goto`, { method: 'POST', user: t.users.psViewer })).status).toBe(200);
    expect(device.ptzCalls.slice(before).map((c) => c.op)).toEqual(['ContinuousMove', 'Stop', 'GotoPreset']);
    expect(device.ptzCalls[before]!.args).toMatchObject({ pan: 0.5, tilt: 0.1, zoom: 0, timeout: 'PT0.8S' });

    const denied = await t.api(`/api/v1/cameras/${cameraId}/ptz/move`, { user: t.users.trafficViewer, body: { pan: 1 } });
    expect(denied.status).toBe(403);
    const outOfRange = await t.api(`/api/v1/cameras/${cameraId}/ptz/move`, { user: t.users.psViewer, body: { pan: 2 } });
    expect(outOfRange.status).toBe(400);
    const manual = await t.api('/api/v1/cameras', { user: t.users.psApprover, body: { name: 'Fixed', departmentId: t.departments.ps, category: 'traffic', streamUrl: sim.cameras[1]!.rtspUrl } });
    const unsupported = await t.api(`/api/v1/cameras/${manual.body.id}/ptz/move`, { user: t.users.psViewer, body: { pan: 0.2 } });
    expect(unsupported.status).toBe(409);
    expect(unsupported.body.code).toBe('PTZ_UNSUPPORTED');
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select('result').where('action', '=', 'ptz').where('target_id', '=', cameraId).execute();
    expect(audit.filter((a) => a.result === 'ok')).toHaveLength(4);
    expect(audit.filter((a) => a.result === 'denied')).toHaveLength(1);
  });
});
