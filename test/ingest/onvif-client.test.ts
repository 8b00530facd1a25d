import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import { answeredAtEdge } from '../helpers/edge-error.ts';
import { OnvifClient } from '../../ingest/onvif/onvif-client.ts';
import { readDevice } from '../../ingest/discovery/device-reader.ts';
import { startOnvifDevice, type OnvifDeviceHandle, type OnvifDeviceMode } from '../../devtools/sim/onvif-device.ts';

const LIMITS = { timeoutMs: 1_500, maxBytes: 256 * 1024 };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (thrown) {
    const error = answeredAtEdge(thrown);
    expect(error).toBeInstanceOf(HubError);
    return (error as HubError).code;
  }
}

describe('ONVIF client against a simulated device', () => {
  let device: OnvifDeviceHandle;
  const client = (password = device.password) => new OnvifClient({ xaddr: device.xaddr, credentials: { username: device.username, password }, ...LIMITS });

  beforeAll(async () => {
    device = await startOnvifDevice({
      name: 'North gate', rtspUrl: 'rtsp://127.0.0.1:8554/north-main', subRtspUrl: 'rtsp://127.0.0.1:8554/north-sub',
      username: 'operator', password: 'Gate-Pa55', clockSkewMs: 3 * 3_600_000, // the device clock is 3 h off
    });
  });
  afterAll(async () => { await device?.stop(); });
  beforeEach(() => device.setMode('normal'));

  it('reads device information, profiles and stream/snapshot URIs with a UsernameToken on a skewed clock', async () => {
    const facts = await readDevice(device.xaddr, { username: device.username, password: device.password }, LIMITS);
    expect(facts.info.manufacturer).toBe('SimCam');
    expect(facts.profileToken).toBe('main');
    expect(facts.subProfileToken).toBe('sub');
    expect(facts.streamUrl).toBe('rtsp://127.0.0.1:8554/north-main');
    expect(facts.subStreamUrl).toBe('rtsp://127.0.0.1:8554/north-sub');
    expect(facts.snapshotUrl).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${device.httpPort}/onvif/snapshot\\.jpg`));
    expect(facts.ptz).toBe(true);
  });

  it('reports a wrong password as ONVIF_AUTH_FAILED', async () => {
    const wrong = client('not-the-password');
    await wrong.getSystemDateAndTime();
    expect(await codeOf(wrong.getDeviceInformation())).toBe('ONVIF_AUTH_FAILED');
  });

  it('drives PTZ: continuous move, stop, presets, goto preset', async () => {
    const c = client();
    await c.getSystemDateAndTime();
    const { ptz } = await c.getServices();
    await c.continuousMove(ptz!, 'main', { pan: 0.5, tilt: -0.25, zoom: 0 }, 1_500);
    await c.stop(ptz!, 'main');
    expect((await c.getPresets(ptz!, 'main')).map((p) => p.name)).toEqual(['Gate', 'Parking']);
    await c.gotoPreset(ptz!, 'main', '2');
    expect(await codeOf(c.gotoPreset(ptz!, 'main', '99'))).toBe('ONVIF_FAULT');
    const ops = device.ptzCalls.map((call) => call.op);
    expect(ops).toEqual(['ContinuousMove', 'Stop', 'GotoPreset']);
    expect(device.ptzCalls[0]!.args).toMatchObject({ pan: 0.5, tilt: -0.25, zoom: 0, timeout: 'PT1.5S' });
  });

  // Each hostile reply is refused with its own code, within the deadline, and the client stays usable.
  const hostile: Array<[OnvifDeviceMode, string]> = [
    ['malformed-xml', 'XML_MALFORMED'],
    ['doctype-entity', 'XML_DOCTYPE_REFUSED'],
    ['oversize', 'DEVICE_RESPONSE_TOO_LARGE'],
    ['trickle', 'DEVICE_TIMEOUT'],
    ['non-onvif', 'ONVIF_NOT_ONVIF'],
    ['offline', 'DEVICE_UNREACHABLE'],
  ];
  for (const [mode, code] of hostile) {
    it(`refuses a device in ${mode} mode with ${code}`, async () => {
      device.setMode(mode);
      expect(await codeOf(client().getSystemDateAndTime())).toBe(code);
      device.setMode('normal');
      expect(await client().getSystemDateAndTime()).toBeGreaterThan(0);
    });
  }

  it('never sends credentials to a service address on another origin', () => {
    const c = client();
    expect(c.serviceUrl('http://127.0.0.2:9/onvif/media_service', 'media')).toBe(device.xaddr);
    expect(c.serviceUrl(`http://127.0.0.1:${device.httpPort}/onvif/media_service`, 'media')).toBe(`http://127.0.0.1:${device.httpPort}/onvif/media_service`);
  });
});
