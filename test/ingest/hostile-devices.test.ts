import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubError } from '../../api/kernel/errors/hub-error.ts';
import { answeredAtEdge } from '../helpers/edge-error.ts';
import { readDevice } from '../../ingest/discovery/device-reader.ts';
import { probe } from '../../ingest/discovery/ws-discovery.ts';
import { startOnvifDevice, type OnvifDeviceHandle, type OnvifDeviceMode } from '../../devtools/sim/onvif-device.ts';
import { mayReceiveCredentials } from '../../ingest/snapshot/snapshot-service.ts';
import { startRewritingProxy, startTrapHost, type TrapHost } from './fixtures/rewriting-proxy.ts';

const LIMITS = { timeoutMs: 1_500, maxBytes: 256 * 1024 };
const CREDENTIALS = { username: 'operator', password: 'Tr4p-Secret' };

/** A logger that keeps its lines, to check that each rejection is explained. */
function recordingLog() {
  const lines: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const record = (fields: Record<string, unknown>, message: string) => { lines.push({ fields, message }); };
  return { lines, log: { warn: record, info: record, debug: record } as never };
}

describe('WS-Discovery against hostile responders', () => {
  let good: OnvifDeviceHandle;
  let bad: OnvifDeviceHandle;
  const targets = () => [good, bad].map((d) => ({ host: '127.0.0.1', port: d.discoveryPort }));

  beforeAll(async () => {
    good = await startOnvifDevice({ name: 'Good', rtspUrl: 'rtsp://127.0.0.1:8554/good', ...CREDENTIALS });
    bad = await startOnvifDevice({ name: 'Bad', rtspUrl: 'rtsp://127.0.0.1:8554/bad', ...CREDENTIALS });
  });
  afterAll(async () => { await Promise.all([good?.stop(), bad?.stop()]); });
  beforeEach(() => bad.setMode('normal'));

  it('finds both devices when they behave', async () => {
    const result = await probe({ targets: targets(), multicast: false, timeoutMs: 2_000 });
    expect(result.devices.map((d) => d.name).sort()).toEqual(['Bad', 'Good']);
  });

  const rejected: Array<[OnvifDeviceMode, RegExp]> = [
    ['malformed-xml', /not well-formed/],
    ['wrong-relates-to', /RelatesTo .* does not match our probe/],
    ['doctype-entity', /DOCTYPE/],
    ['oversize', /exceeds/],
    ['non-onvif', /not a WS-Discovery reply/],
  ];
  for (const [mode, reason] of rejected) {
    it(`rejects a ${mode} reply with a log line and still finds the good device`, async () => {
      bad.setMode(mode);
      const { lines, log } = recordingLog();
      const result = await probe({ targets: targets(), multicast: false, timeoutMs: 2_000, log });
      expect(result.devices.map((d) => d.name)).toEqual(['Good']);
      expect(result.rejected).toHaveLength(1);
      expect(result.rejected[0]!.from).toBe(`127.0.0.1:${bad.discoveryPort}`);
      expect(result.rejected[0]!.reason).toMatch(reason);
      expect(lines).toContainEqual({ fields: { from: `127.0.0.1:${bad.discoveryPort}`, reason: result.rejected[0]!.reason }, message: 'discovery reply rejected' });
    });
  }

  for (const mode of ['trickle', 'offline'] as const) {
    it(`ends the scan at its deadline when a device is ${mode === 'trickle' ? 'too slow' : 'silent'}`, async () => {
      bad.setMode(mode);
      const result = await probe({ targets: targets(), multicast: false, timeoutMs: 800 });
      expect(result.devices.map((d) => d.name)).toEqual(['Good']);
    });
  }
});

describe('WS-Discovery over multicast', () => {
  it('finds a device that joined 239.255.255.250:3702 on loopback', async (context) => {
    const device = await startOnvifDevice({ name: 'Multicast cam', rtspUrl: 'rtsp://127.0.0.1:8554/mc', ...CREDENTIALS, multicast: true });
    try {
      // Another process may hold 3702 without SO_REUSEADDR; then there is nothing to test here.
      if (!device.multicastJoined) context.skip();
      const result = await probe({ targets: [], multicast: true, multicastInterface: '127.0.0.1', timeoutMs: 1_500 });
      expect(result.devices.map((d) => d.name)).toContain('Multicast cam');
    } finally {
      await device.stop();
    }
  });
});

describe('credentials stay with the adopted device', () => {
  let device: OnvifDeviceHandle;
  let trap: TrapHost;
  const proxies: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    device = await startOnvifDevice({ name: 'Target', rtspUrl: 'rtsp://127.0.0.1:8554/target', ...CREDENTIALS });
    trap = await startTrapHost();
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()));
    await trap?.stop();
    await device?.stop();
  });

  it('does not follow service XAddrs or a snapshot URI on another host', async () => {
    let rewritten = 0;
    const toTrap = (_match: string, path: string) => { rewritten++; return `${trap.httpUrl}/onvif/${path}`; };
    const proxy = await startRewritingProxy(device.xaddr, (xml) => xml
      .replace(/http:\/\/127\.0\.0\.1:\d+\/onvif\/((?:media|ptz)_service|snapshot\.jpg)/g, toTrap));
    proxies.push(proxy);
    const facts = await readDevice(proxy.xaddr, CREDENTIALS, LIMITS);
    expect(facts.snapshotUrl).toBeNull();
    expect(facts.mediaXaddr).toBe(proxy.xaddr);
    expect(facts.ptzXaddr).toBe(proxy.xaddr);
    expect(rewritten).toBeGreaterThanOrEqual(3); // media, PTZ and snapshot addresses all pointed at the trap
    expect(trap.hits).toEqual([]);
  });

  it('refuses adoption when the stream URI points at another host, without contacting it', async () => {
    const proxy = await startRewritingProxy(device.xaddr, (xml) => xml.replace('rtsp://127.0.0.1:8554/target', `rtsp://127.0.0.2:${trap.rtspPort}/target`));
    proxies.push(proxy);
    const error = answeredAtEdge(await readDevice(proxy.xaddr, CREDENTIALS, LIMITS).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('ONVIF_FOREIGN_STREAM_HOST');
    expect(JSON.stringify(trap.hits)).not.toContain('operator');
    expect(trap.hits).toEqual([]);
  });

  it('refuses stream URIs that are not rtsp:// or rtsps://', async () => {
    for (const uri of ['file:///etc/passwd', 'http://127.0.0.1/live.m3u8', 'concat:a.ts|b.ts', '-i /etc/passwd']) {
      const proxy = await startRewritingProxy(device.xaddr, (xml) => xml.replace('rtsp://127.0.0.1:8554/target', uri.replace(/&/g, '&amp;')));
      proxies.push(proxy);
      const error = await readDevice(proxy.xaddr, CREDENTIALS, LIMITS).catch((e: unknown) => e);
      expect((error as HubError).code, uri).toBe('ONVIF_STREAM_URI_REFUSED');
    }
  });

  it('sends snapshot credentials only to the camera\'s own origin', () => {
    const onvif = { onvif_xaddr: 'http://10.0.0.5/onvif/device_service', stream_url: 'rtsp://10.0.0.5/main' };
    expect(mayReceiveCredentials(onvif, 'http://10.0.0.5/snap.jpg')).toBe(true);
    expect(mayReceiveCredentials(onvif, 'http://10.0.0.5:8080/snap.jpg')).toBe(false);
    expect(mayReceiveCredentials(onvif, 'http://10.0.0.6/snap.jpg')).toBe(false);
    const manual = { onvif_xaddr: null, stream_url: 'rtsp://10.0.0.5/main' };
    expect(mayReceiveCredentials(manual, 'http://10.0.0.5:8080/snap.jpg')).toBe(true);
    expect(mayReceiveCredentials(manual, 'http://evil.example/snap.jpg')).toBe(false);
  });
});
