import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { digestAuthorization } from '../../devtools/sim/http-digest.ts';
import { startOnvifDevice, type OnvifDeviceHandle } from '../../devtools/sim/onvif-device.ts';
import { httpRequest, probe, soapCall, soapEnvelope, usernameToken } from './sim-helpers.ts';

const RTSP_MAIN = 'rtsp://127.0.0.1:8554/gate-main';
const RTSP_SUB = 'rtsp://127.0.0.1:8554/gate-sub';
const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, processEntities: false });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('simulated ONVIF device', () => {
  let device: OnvifDeviceHandle;
  const auth = () => usernameToken(device.username, device.password);

  beforeAll(async () => {
    device = await startOnvifDevice({
      name: 'Gate cam', rtspUrl: RTSP_MAIN, subRtspUrl: RTSP_SUB, username: 'operator', password: 'Secr3t!', hardware: 'SIM-X1', location: 'north gate',
    });
  });
  afterAll(async () => {
    await device?.stop();
  });
  beforeEach(() => device.setMode('normal'));

  it('answers GetDeviceInformation with a valid UsernameToken and refuses a wrong one', async () => {
    expect(device.xaddr).toBe(`http://127.0.0.1:${device.httpPort}/onvif/device_service`);
    const ok = await soapCall(device.xaddr, '<tds:GetDeviceInformation/>', auth());
    expect(ok.status).toBe(200);
    const info = parser.parse(ok.body.toString()).Envelope.Body.GetDeviceInformationResponse;
    expect(info).toMatchObject({ Manufacturer: 'SimCam', Model: 'SIM-X1' });

    const wrong = await soapCall(device.xaddr, '<tds:GetDeviceInformation/>', usernameToken(device.username, 'guess'));
    expect([400, 401]).toContain(wrong.status);
    expect(wrong.body.toString()).toContain('ter:NotAuthorized');
    const none = await soapCall(device.xaddr, '<tds:GetDeviceInformation/>');
    expect(none.body.toString()).toContain('ter:NotAuthorized');
  });

  it('refuses a replayed nonce and a stale Created', async () => {
    const nonce = randomBytes(16);
    const created = new Date().toISOString();
    const token = usernameToken(device.username, device.password, { nonce, created });
    expect((await soapCall(device.xaddr, '<tds:GetDeviceInformation/>', token)).status).toBe(200);
    expect((await soapCall(device.xaddr, '<tds:GetDeviceInformation/>', token)).body.toString()).toContain('ter:NotAuthorized');
    const old = usernameToken(device.username, device.password, { created: new Date(Date.now() - 3_600_000).toISOString() });
    expect((await soapCall(device.xaddr, '<tds:GetDeviceInformation/>', old)).body.toString()).toContain('ter:NotAuthorized');
  });

  it('serves GetSystemDateAndTime before authentication', async () => {
    const reply = await soapCall(device.xaddr, '<tds:GetSystemDateAndTime/>');
    expect(reply.status).toBe(200);
    const utc = parser.parse(reply.body.toString()).Envelope.Body.GetSystemDateAndTimeResponse.SystemDateAndTime.UTCDateTime;
    expect(utc.Date.Year).toBe(new Date().getUTCFullYear());
  });

  it('lists main and sub profiles and hands out their stream and snapshot URIs', async () => {
    const profiles = parser.parse((await soapCall(device.xaddr, '<trt:GetProfiles/>', auth())).body.toString()).Envelope.Body.GetProfilesResponse.Profiles;
    expect(profiles.map((p: Record<string, string>) => p['@_token'])).toEqual(['main', 'sub']);
    const uriOf = async (op: string, token: string) =>
      parser.parse((await soapCall(device.xaddr, `<trt:${op}><trt:ProfileToken>${token}</trt:ProfileToken></trt:${op}>`, auth())).body.toString())
        .Envelope.Body[`${op}Response`].MediaUri.Uri;
    expect(await uriOf('GetStreamUri', 'main')).toBe(RTSP_MAIN);
    expect(await uriOf('GetStreamUri', 'sub')).toBe(RTSP_SUB);
    const missing = await soapCall(device.xaddr, '<trt:GetStreamUri><trt:ProfileToken>nope</trt:ProfileToken></trt:GetStreamUri>', auth());
    expect(missing.body.toString()).toContain('ter:NoProfile');

    const snapshotUri = await uriOf('GetSnapshotUri', 'main');
    const challenge = await httpRequest(snapshotUri);
    expect(challenge.status).toBe(401);
    const wwwAuthenticate = String(challenge.headers['www-authenticate']);
    expect(wwwAuthenticate).toMatch(/^Digest /);
    const path = new URL(snapshotUri).pathname + new URL(snapshotUri).search;
    const denied = await httpRequest(snapshotUri, { headers: { Authorization: digestAuthorization(wwwAuthenticate, 'GET', path, device.username, 'bad') } });
    expect(denied.status).toBe(401);
    const basic = await httpRequest(snapshotUri, { headers: { Authorization: `Basic ${Buffer.from(`${device.username}:${device.password}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    const fresh = String((await httpRequest(snapshotUri)).headers['www-authenticate']);
    const jpeg = await httpRequest(snapshotUri, { headers: { Authorization: digestAuthorization(fresh, 'GET', path, device.username, device.password) } });
    expect(jpeg.status).toBe(200);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect(jpeg.body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('records PTZ calls and rejects unknown presets', async () => {
    device.ptzCalls.length = 0;
    const ptz = device.xaddr.replace('device_service', 'ptz_service');
    await soapCall(ptz, '<tptz:ContinuousMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Velocity><tt:PanTilt x="0.5" y="-0.25"/><tt:Zoom x="0.1"/></tptz:Velocity></tptz:ContinuousMove>', auth());
    await soapCall(ptz, '<tptz:Stop><tptz:ProfileToken>main</tptz:ProfileToken><tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>false</tptz:Zoom></tptz:Stop>', auth());
    const presets = await soapCall(ptz, '<tptz:GetPresets><tptz:ProfileToken>main</tptz:ProfileToken></tptz:GetPresets>', auth());
    expect(presets.body.toString()).toContain('<tt:Name>Gate</tt:Name>');
    await soapCall(ptz, '<tptz:GotoPreset><tptz:ProfileToken>main</tptz:ProfileToken><tptz:PresetToken>2</tptz:PresetToken></tptz:GotoPreset>', auth());
    const unknown = await soapCall(ptz, '<tptz:GotoPreset><tptz:ProfileToken>main</tptz:ProfileToken><tptz:PresetToken>99</tptz:PresetToken></tptz:GotoPreset>', auth());
    expect(unknown.status).toBe(400);
    const unauthenticated = await soapCall(ptz, '<tptz:Stop><tptz:ProfileToken>main</tptz:ProfileToken></tptz:Stop>');
    expect(unauthenticated.body.toString()).toContain('ter:NotAuthorized');
    expect(device.ptzCalls).toEqual([
      { op: 'ContinuousMove', args: { profileToken: 'main', pan: 0.5, tilt: -0.25, zoom: 0.1, timeout: null } },
      { op: 'Stop', args: { profileToken: 'main', panTilt: true, zoom: false } },
      { op: 'GotoPreset', args: { profileToken: 'main', presetToken: '2' } },
    ]);
  });

  it('answers a UDP Probe with a ProbeMatch relating to it', async () => {
    const { messageId, replies } = await probe(device.discoveryPort);
    expect(replies).toHaveLength(1);
    const reply = parser.parse(replies[0]!.toString());
    expect(reply.Envelope.Header.RelatesTo).toBe(messageId);
    const match = reply.Envelope.Body.ProbeMatches.ProbeMatch;
    expect(match.XAddrs).toBe(device.xaddr);
    expect(match.EndpointReference.Address).toBe(`urn:uuid:${device.endpointUuid}`);
    expect(match.Scopes).toContain('onvif://www.onvif.org/name/Gate%20cam');
    expect(match.Scopes).toContain('onvif://www.onvif.org/hardware/SIM-X1');
    expect(match.Scopes).toContain('onvif://www.onvif.org/location/north%20gate');
    expect((await probe(device.discoveryPort, { types: 'x:Printer', waitMs: 300 })).replies).toHaveLength(0);
  });

  describe('hostile modes', () => {
    it('malformed-xml: SOAP and ProbeMatch are not well-formed', async () => {
      device.setMode('malformed-xml');
      const reply = await soapCall(device.xaddr, '<tds:GetDeviceInformation/>', auth());
      expect(XMLValidator.validate(reply.body.toString())).not.toBe(true);
      const { replies } = await probe(device.discoveryPort);
      expect(replies).toHaveLength(1);
      expect(XMLValidator.validate(replies[0]!.toString())).not.toBe(true);
    });

    it('wrong-relates-to: the ProbeMatch relates to another message', async () => {
      device.setMode('wrong-relates-to');
      const { messageId, replies } = await probe(device.discoveryPort);
      const relatesTo = parser.parse(replies[0]!.toString()).Envelope.Header.RelatesTo;
      expect(relatesTo).toMatch(/^urn:uuid:/);
      expect(relatesTo).not.toBe(messageId);
    });

    it('doctype-entity: answers carry a billion-laughs DOCTYPE referenced in the document', async () => {
      device.setMode('doctype-entity');
      const text = (await soapCall(device.xaddr, '<tds:GetDeviceInformation/>', auth())).body.toString();
      expect(text).toMatch(/<!DOCTYPE lolz \[/);
      expect(text).toContain('<!ENTITY lol9 "&lol8;&lol8;');
      expect(text).toMatch(/<tds:GetDeviceInformationResponse>&lol9;/);
      const udp = (await probe(device.discoveryPort)).replies[0]!.toString();
      expect(udp).toContain('<!ENTITY lol9');
      expect(udp).toContain('&lol9;');
    });

    it('oversize: streams a body far beyond any sane limit without a Content-Length; fills a datagram', async () => {
      device.setMode('oversize');
      const rssBefore = process.memoryUsage().rss;
      const reply = await httpRequest(device.xaddr, { method: 'POST', body: '<x/>', maxBytes: 20 * 1024 * 1024 });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-length']).toBeUndefined();
      expect(reply.body.length).toBeGreaterThanOrEqual(20 * 1024 * 1024);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 1024 * 1024); // not the 200 MB body
      const { replies } = await probe(device.discoveryPort);
      expect(replies[0]!.length).toBeGreaterThan(60_000);
    });

    it('trickle: HTTP bodies arrive one byte per second; ProbeMatch comes too late', async () => {
      device.setMode('trickle');
      const { status, received } = await bodyBytesWithin(device.xaddr, 2_500);
      expect(status).toBe(200); // headers come at once; the body is still dribbling
      expect(received).toBeGreaterThanOrEqual(1);
      expect(received).toBeLessThanOrEqual(4);
      expect((await probe(device.discoveryPort, { waitMs: 800 })).replies).toHaveLength(0);
    });

    it('non-onvif: an HTML page over HTTP and an SSDP answer over UDP', async () => {
      device.setMode('non-onvif');
      const reply = await soapCall(device.xaddr, '<tds:GetDeviceInformation/>', auth());
      expect(reply.headers['content-type']).toContain('text/html');
      expect(reply.body.toString()).toContain('<html>');
      const udp = (await probe(device.discoveryPort)).replies[0]!.toString();
      expect(udp.startsWith('HTTP/1.1 200 OK')).toBe(true);
      expect(udp).toContain('upnp:rootdevice');
    });

    it('offline: connections are dropped and probes go unanswered, until back to normal', async () => {
      device.setMode('offline');
      await expect(soapCall(device.xaddr, '<tds:GetSystemDateAndTime/>')).rejects.toThrow();
      expect((await probe(device.discoveryPort, { waitMs: 400 })).replies).toHaveLength(0);
      device.setMode('normal');
      expect((await soapCall(device.xaddr, '<tds:GetSystemDateAndTime/>')).status).toBe(200);
      expect((await probe(device.discoveryPort)).replies).toHaveLength(1);
    });
  });

  it('stop() closes the HTTP port and the UDP responder', async () => {
    const own = await startOnvifDevice({ name: 'short-lived', rtspUrl: RTSP_MAIN, username: 'u', password: 'p' });
    own.setMode('trickle');
    const pending = httpRequest(own.xaddr, { method: 'POST', body: '<x/>', timeoutMs: 20_000 }).catch((error: Error) => error);
    await sleep(200);
    await own.stop();
    expect(await pending).toBeInstanceOf(Error);
    await expect(soapCall(own.xaddr, '<tds:GetSystemDateAndTime/>')).rejects.toThrow();
    expect((await probe(own.discoveryPort, { waitMs: 300 })).replies).toHaveLength(0);
  });
});

/** Status and the number of body bytes a POST receives within `ms`, then the request is dropped. */
function bodyBytesWithin(url: string, ms: number): Promise<{ status: number; received: number }> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const req = request(url, { method: 'POST' }, (res) => {
      res.on('data', (chunk: Buffer) => (received += chunk.length));
      res.on('error', () => {});
      setTimeout(() => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, received });
      }, ms);
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end(soapEnvelope('<tds:GetSystemDateAndTime/>'));
  });
}
