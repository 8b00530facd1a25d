import onvif from 'onvif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDevice } from '../../ingest/discovery/device-reader.ts';
import { startOnvifDevice, type OnvifDeviceHandle } from '../../devtools/sim/onvif-device.ts';

/**
 * Interoperability: the `onvif` npm package (agsh/onvif, a widely used third-party client) against the test
 * device. The hub's own client is hardened for hostile devices and does not use the package at run time,
 * so this is where the package fits: it proves the test device speaks ONVIF as real clients expect, and
 * that the hub's client reads the same facts from it.
 */
const CREDENTIALS = { username: 'interop', password: 'Interop-Pass-1' };

interface OnvifCam {
  profiles?: Array<{ name: string; $: { token: string } }>;
  getDeviceInformation(cb: (err: Error | null, info: Record<string, string>) => void): void;
  getStreamUri(options: { protocol: string; profileToken?: string }, cb: (err: Error | null, uri: { uri: string }) => void): void;
  getSnapshotUri(options: { profileToken?: string }, cb: (err: Error | null, uri: { uri: string }) => void): void;
  getPresets(options: object, cb: (err: Error | null, presets: Record<string, unknown>) => void): void;
  continuousMove(options: { x: number; y: number; zoom: number }, cb: (err: Error | null, value: unknown) => void): void;
  stop(options: object, cb: (err: Error | null, value: unknown) => void): void;
}

function connect(xaddr: string, credentials: { username: string; password: string }): Promise<OnvifCam> {
  const url = new URL(xaddr);
  return new Promise((resolve, reject) => {
    const cam = new onvif.Cam({ hostname: url.hostname, port: Number(url.port), path: url.pathname, ...credentials, timeout: 5_000 },
      (err: Error | null) => (err ? reject(err) : resolve(cam as unknown as OnvifCam)));
  });
}

const call = <T>(fn: (cb: (err: Error | null, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

describe('ONVIF interoperability with the onvif npm package', () => {
  let device: OnvifDeviceHandle;

  beforeAll(async () => {
    device = await startOnvifDevice({ name: 'Interop cam', rtspUrl: 'rtsp://127.0.0.1:8554/interop', subRtspUrl: 'rtsp://127.0.0.1:8554/interop-sub', ...CREDENTIALS });
  });
  afterAll(async () => { await device?.stop(); });

  it('connects with WS-UsernameToken and reads what the hub reads', async () => {
    const cam = await connect(device.xaddr, CREDENTIALS);
    const info = await call<Record<string, string>>((cb) => cam.getDeviceInformation(cb));
    const stream = await call<{ uri: string }>((cb) => cam.getStreamUri({ protocol: 'RTSP' }, cb));
    const snapshot = await call<{ uri: string }>((cb) => cam.getSnapshotUri({}, cb));
    const ours = await readDevice(device.xaddr, CREDENTIALS, { timeoutMs: 5_000, maxBytes: 256 * 1024 });

    expect(cam.profiles?.length).toBe(2);
    expect(info.manufacturer).toBe(ours.info.manufacturer);
    expect(info.model).toBe(ours.info.model);
    expect(info.serialNumber).toBe(ours.info.serial);
    // The package's default profile is the first one, the main stream; the hub picks main as the largest.
    expect(stream.uri).toBe(ours.streamUrl);
    expect(new URL(snapshot.uri).origin).toBe(new URL(device.xaddr).origin);
  });

  it('drives PTZ the way the hub does: presets, continuous move, stop', async () => {
    const cam = await connect(device.xaddr, CREDENTIALS);
    const presets = await call<Record<string, unknown>>((cb) => cam.getPresets({}, cb));
    expect(Object.keys(presets).length).toBeGreaterThan(0);
    const before = device.ptzCalls.length;
    await call<unknown>((cb) => cam.continuousMove({ x: 0.5, y: 0, zoom: 0 }, cb));
    await call<unknown>((cb) => cam.stop({}, cb));
    expect(device.ptzCalls.slice(before).map((c) => c.op)).toEqual(['ContinuousMove', 'Stop']);
  });

  it('is refused with a wrong password', async () => {
    // The package's connect() tolerates failures of its optional calls; an authenticated operation must fail.
    const attempt = connect(device.xaddr, { username: CREDENTIALS.username, password: 'wrong' })
      .then((cam) => call<Record<string, string>>((cb) => cam.getDeviceInformation(cb)));
    await expect(attempt).rejects.toThrow(/NotAuthorized|not authori[sz]ed|sender/i);
  });
});
