import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header } from '../../devtools/sim/gb28181/sim-sip.ts';
import { SimUpperPlatform, UPPER_DOMAIN, UPPER_ID, UPPER_PASSWORD } from '../../devtools/sim/gb28181/sim-upper-platform.ts';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { startSimCameras, until } from '../relay/relay-fixtures.ts';
import { channelIds, clipUnits, gbOf, startGbHub, startSimDevice } from './gb-fixtures.ts';
import { execFileSync } from 'node:child_process';

const LOCAL_ID = '34020000002000000001';

describe('GB/T 28181 cascade to an upper platform', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  const upper = new SimUpperPlatform();
  const nvrId = '34020000001180000041';

  beforeAll(async () => {
    const port = await upper.start();
    t = await startGbHub('sqlite', { upper: { enabled: true, serverId: UPPER_ID, domain: UPPER_DOMAIN, host: '127.0.0.1', port, localId: LOCAL_ID, password: UPPER_PASSWORD, keepaliveSeconds: 1 } });
    nvr = await startSimDevice(t, nvrId, 2, { units: await clipUnits() });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
  }, 60_000);
  afterAll(async () => {
    nvr?.kill();
    await t?.stop();
    upper.stop();
  });

  it('registers with digest and keeps alive', async () => {
    await until('registered upward and keeping alive', () => upper.registered >= 1 && upper.keepalives >= 2, 20_000);
    expect((await t.api('/api/v1/gb28181/upper', { user: t.users.admin })).body.state).toBe('online');
  });

  it('answers the catalogue query with only the cameras the owning department shared; sends a shared one as PS over RTP, refuses the others', async () => {
    const [first, second] = channelIds(nvrId, 2);
    const camera = await until('channel camera', async () => (await t.hub.ctx.cameras.findByNationalId(first!))?.id);
    expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.trafficApprover, body: { cameraId: camera } })).status).toBe(403);
    expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId: camera } })).status).toBe(201);
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'target_id']).where('action', '=', 'gb28181.upper.share').execute();
    expect(audit).toEqual([{ action: 'gb28181.upper.share', target_id: camera }]);
    const hubPort = gbOf(t).server!.port;
    const query = await upper.request(hubPort, 'MESSAGE', `sip:${LOCAL_ID}@127.0.0.1:${hubPort}`, `<?xml version="1.0" encoding="GB2312"?><Query><CmdType>Catalog</CmdType><SN>77</SN><DeviceID>${LOCAL_ID}</DeviceID></Query>`, 'Application/MANSCDP+xml');
    expect(query.startLine).toBe('SIP/2.0 200 OK');
    await until('catalogue received upward', () => upper.catalogItems.length >= 1);
    expect(upper.catalogItems).toEqual([first]);
    const sdp = 'v=0\r\no=x 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 50000 RTP/AVP 96\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\ny=0440100001\r\n';
    expect((await upper.request(hubPort, 'INVITE', `sip:${second}@127.0.0.1:${hubPort}`, sdp, 'APPLICATION/SDP')).startLine).toMatch(/^SIP\/2\.0 404 /);
    // The shared channel: answered with our SDP, PS over RTP to the m= port after ACK.
    const media = createSocket('udp4');
    await new Promise<void>((resolve) => media.bind(0, '127.0.0.1', resolve));
    const payloads: Buffer[] = [];
    const ssrcs = new Set<number>();
    media.on('message', (packet) => { ssrcs.add(packet.readUInt32BE(8)); payloads.push(packet.subarray(12)); });
    const offer = sdp.replace('m=video 50000', `m=video ${media.address().port}`);
    const callId = 'upper-call-1@127.0.0.1';
    const ok = await upper.request(hubPort, 'INVITE', `sip:${first}@127.0.0.1:${hubPort}`, offer, 'APPLICATION/SDP', { callId });
    expect(ok.startLine).toBe('SIP/2.0 200 OK');
    expect(ok.body.toString()).toMatch(/^a=sendonly$/m);
    const to = header(ok, 'To')!;
    await upper.request(hubPort, 'ACK', `sip:${first}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId, to });
    await until('PS over RTP arriving upward', () => payloads.length > 150, 30_000);
    expect([...ssrcs]).toEqual([440100001]);
    const ps = Buffer.concat(payloads);
    expect(ps.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0xba]));
    const probed = execFileSync('ffprobe', ['-v', 'error', '-f', 'mpeg', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: ps }).toString().trim();
    expect(probed).toMatch(/^h264,\d+$/);
    expect(Number(probed.split(',')[1])).toBeGreaterThan(5);
    // The camera is still pulled once: the upward stream is a relay lease.
    expect(nvr.invites).toBe(1);
    expect((await upper.request(hubPort, 'BYE', `sip:${first}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId, to, cseq: 2 })).startLine).toBe('SIP/2.0 200 OK');
    const stopped = payloads.length;
    await new Promise((r) => setTimeout(r, 1_500));
    const afterBye = payloads.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(payloads.length).toBe(afterBye);
    expect(afterBye - stopped).toBeLessThan(200);

    // Withdrawing the share (the owning department's decision) stops a running upward stream too.
    const again = await upper.request(hubPort, 'INVITE', `sip:${first}@127.0.0.1:${hubPort}`, offer, 'APPLICATION/SDP', { callId: 'upper-call-2@127.0.0.1' });
    expect(again.startLine).toBe('SIP/2.0 200 OK');
    await upper.request(hubPort, 'ACK', `sip:${first}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId: 'upper-call-2@127.0.0.1', to: header(again, 'To')! });
    const before = payloads.length;
    await until('second upward stream flowing', () => payloads.length > before + 50, 30_000);
    expect((await t.api(`/api/v1/gb28181/upper/shares/${camera}`, { method: 'DELETE', user: t.users.communityApprover })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000));
    const afterRevoke = payloads.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(payloads.length).toBe(afterRevoke);
    expect((await upper.request(hubPort, 'INVITE', `sip:${first}@127.0.0.1:${hubPort}`, offer, 'APPLICATION/SDP')).startLine).toMatch(/^SIP\/2\.0 404 /);
    media.close();
  });

  it('shares upward an RTSP camera whose national ID was given from viid.civilCode, and plays it to the upper as PS', async () => {
    const rtsp = await startSimCameras(['/gate']);
    const media = createSocket('udp4');
    try {
      const created = await t.api('/api/v1/cameras', { user: t.users.communityApprover, body: { name: '社区东门', departmentId: t.departments.community, category: 'community', streamUrl: rtsp.urlFor('/gate') } });
      expect(created.status).toBe(201);
      const nationalId = await until('national ID from viid.civilCode', async () => (await t.hub.ctx.cameras.find(created.body.id))?.national_id ?? undefined);
      expect(nationalId).toMatch(new RegExp(`^${t.hub.ctx.config.viid.civilCode}\\d{12}$`));
      expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId: created.body.id } })).status).toBe(201);
      const hubPort = gbOf(t).server!.port;
      const items = upper.catalogItems.length;
      await upper.request(hubPort, 'MESSAGE', `sip:${LOCAL_ID}@127.0.0.1:${hubPort}`, `<?xml version="1.0" encoding="GB2312"?><Query><CmdType>Catalog</CmdType><SN>78</SN><DeviceID>${LOCAL_ID}</DeviceID></Query>`, 'Application/MANSCDP+xml');
      await until('catalogue with the RTSP camera', () => upper.catalogItems.slice(items).includes(nationalId));
      await new Promise<void>((resolve) => media.bind(0, '127.0.0.1', resolve));
      const payloads: Buffer[] = [];
      media.on('message', (packet) => payloads.push(packet.subarray(12)));
      const offer = `v=0\r\no=x 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video ${media.address().port} RTP/AVP 96\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\ny=0440100002\r\n`;
      const callId = 'upper-rtsp-1@127.0.0.1';
      const ok = await upper.request(hubPort, 'INVITE', `sip:${nationalId}@127.0.0.1:${hubPort}`, offer, 'APPLICATION/SDP', { callId });
      expect(ok.startLine).toBe('SIP/2.0 200 OK');
      await upper.request(hubPort, 'ACK', `sip:${nationalId}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId, to: header(ok, 'To')! });
      await until('PS of the RTSP camera arriving upward', () => payloads.length > 150, 30_000);
      const probed = execFileSync('ffprobe', ['-v', 'error', '-f', 'mpeg', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: Buffer.concat(payloads) }).toString().trim();
      expect(probed).toMatch(/^h264,\d+$/);
      await upper.request(hubPort, 'BYE', `sip:${nationalId}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId, to: header(ok, 'To')!, cseq: 2 });
    } finally {
      media.close();
      await rtsp.stop();
    }
  });

  it('relays PTZ and RecordInfo from the upper to the device only as far as the share allows', async () => {
    const [, second] = channelIds(nvrId, 2);
    const hubPort = gbOf(t).server!.port;
    const control = (channel: string, cmd: string) => upper.request(hubPort, 'MESSAGE', `sip:${channel}@127.0.0.1:${hubPort}`,
      `<?xml version="1.0" encoding="GB2312"?><Control><CmdType>DeviceControl</CmdType><SN>90</SN><DeviceID>${channel}</DeviceID><PTZCmd>${cmd}</PTZCmd></Control>`, 'Application/MANSCDP+xml');
    const recordQuery = (channel: string) => upper.request(hubPort, 'MESSAGE', `sip:${channel}@127.0.0.1:${hubPort}`,
      `<?xml version="1.0" encoding="GB2312"?><Query><CmdType>RecordInfo</CmdType><SN>91</SN><DeviceID>${channel}</DeviceID><StartTime>2026-05-01T00:00:00</StartTime><EndTime>2026-05-01T03:00:00</EndTime><Secrecy>0</Secrecy><Type>all</Type></Query>`, 'Application/MANSCDP+xml');
    const right = 'A50F01011F0000D5';
    expect((await control(second!, right)).startLine).toMatch(/^SIP\/2\.0 404 /);
    const camera = (await t.hub.ctx.cameras.findByNationalId(second!))!.id;
    expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId: camera, ptz: true } })).status).toBe(201);
    const before = nvr.ptz.length;
    expect((await control(second!, right)).startLine).toBe('SIP/2.0 200 OK');
    await until('PTZCmd relayed to the device', () => nvr.ptz.length === before + 1);
    expect(nvr.ptz.at(-1)).toEqual({ channelId: second, cmd: right });
    expect((await control(second!, 'A50F01011F0000D6')).startLine).toMatch(/^SIP\/2\.0 400 /); // wrong checksum
    expect((await recordQuery(second!)).startLine).toMatch(/^SIP\/2\.0 403 /); // shared without recordings
    expect(nvr.ptz.length).toBe(before + 1);

    expect((await t.api(`/api/v1/gb28181/upper/shares/${camera}`, { method: 'DELETE', user: t.users.communityApprover })).status).toBe(200);
    expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId: camera, playback: true } })).status).toBe(201);
    expect((await control(second!, right)).startLine).toMatch(/^SIP\/2\.0 403 /);
    expect((await recordQuery(second!)).startLine).toBe('SIP/2.0 200 OK');
    // The simulated NVR holds a half-hour recording per started hour: three in 00:00-03:00, relayed in the upper's SN.
    await until('recordings relayed upward', () => upper.recordItems.length === 3, 20_000);
    expect(upper.recordItems[0]).toEqual({ start: '2026-05-01T00:00:00', end: '2026-05-01T00:30:00' });
    const shares = (await t.api('/api/v1/gb28181/upper', { user: t.users.admin })).body.shares;
    expect(shares.find((x: { cameraId: string }) => x.cameraId === camera)).toMatchObject({ ptz: false, playback: true });
  });
});
