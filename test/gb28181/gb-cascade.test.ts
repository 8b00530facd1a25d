import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSimSip, header, md5, parseSimSip, simResponse, type SimSipMessage } from '../../devtools/sim/gb28181/sim-sip.ts';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';
import { channelIds, clipUnits, gbOf, startGbHub, startSimDevice } from './gb-fixtures.ts';
import { execFileSync } from 'node:child_process';

const UPPER_ID = '44010000002000000001';
const UPPER_DOMAIN = '4401000000';
const UPPER_PASSWORD = 'city-platform-pw';
const LOCAL_ID = '34020000002000000001';

/** A minimal upper (city) platform: digest registrar, keepalive answers, catalogue query, INVITE. */
class FakeUpper {
  socket!: Socket;
  registered = 0;
  keepalives = 0;
  readonly catalogItems: string[] = [];
  private nonce = 'c0ffee0123456789c0ffee0123456789';
  private readonly answers = new Map<string, (m: SimSipMessage) => void>();

  async start(): Promise<number> {
    this.socket = createSocket('udp4');
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve));
    this.socket.on('message', (data, rinfo) => this.on(data, rinfo));
    return this.socket.address().port;
  }

  private on(data: Buffer, rinfo: RemoteInfo): void {
    const m = parseSimSip(data);
    if (!m) return;
    const reply = (buf: Buffer) => this.socket.send(buf, rinfo.port, rinfo.address);
    if (m.startLine.startsWith('SIP/2.0')) return this.answers.get(header(m, 'Call-ID')!)?.(m);
    const method = m.startLine.split(' ')[0];
    if (method === 'REGISTER') {
      const auth = header(m, 'Authorization');
      if (!auth) return reply(simResponse(m, 401, 'Unauthorized', [['WWW-Authenticate', `Digest realm="${UPPER_DOMAIN}",qop="auth",nonce="${this.nonce}",algorithm=MD5`]]));
      const get = (k: string) => new RegExp(`${k}="?([^",]*)"?`).exec(auth)?.[1] ?? '';
      const ha1 = md5(`${get('username')}:${UPPER_DOMAIN}:${UPPER_PASSWORD}`);
      const expected = md5(`${ha1}:${this.nonce}:${get('nc')}:${get('cnonce')}:auth:${md5(`REGISTER:${get('uri')}`)}`);
      if (get('response') !== expected) return reply(simResponse(m, 403, 'Forbidden'));
      this.registered++;
      return reply(simResponse(m, 200, 'OK', [['Expires', '3600']]));
    }
    if (method === 'MESSAGE') {
      reply(simResponse(m, 200, 'OK'));
      const xml = m.body.toString('latin1');
      if (xml.includes('<CmdType>Keepalive</CmdType>')) this.keepalives++;
      for (const item of xml.matchAll(/<Item><DeviceID>(\d{20})<\/DeviceID>/g)) this.catalogItems.push(item[1]!);
    }
  }

  /** Sends a request to the hub and resolves with its final answer (ACK: resolves at once). */
  request(hubPort: number, method: string, uri: string, body: string, contentType: string, dialog: { callId?: string; to?: string; cseq?: number } = {}): Promise<SimSipMessage> {
    const callId = dialog.callId ?? `${Math.random().toString(16).slice(2)}@127.0.0.1`;
    const message = formatSimSip(`${method} ${uri} SIP/2.0`, [
      ['Via', `SIP/2.0/UDP 127.0.0.1:${this.socket.address().port};rport;branch=z9hG4bK${Math.random().toString(16).slice(2)}`],
      ['From', `<sip:${UPPER_ID}@${UPPER_DOMAIN}>;tag=up1`], ['To', dialog.to ?? `<sip:${uriToId(uri)}@${UPPER_DOMAIN}>`], ['Call-ID', callId], ['CSeq', `${dialog.cseq ?? 1} ${method}`],
      ['Content-Type', contentType], ['Max-Forwards', '70'],
    ], Buffer.from(body));
    if (method === 'ACK') {
      this.socket.send(message, hubPort, '127.0.0.1');
      return Promise.resolve({ startLine: 'ACK', headers: [], body: Buffer.alloc(0) });
    }
    return new Promise((resolve) => {
      this.answers.set(callId, (answer) => { if (!answer.startLine.startsWith('SIP/2.0 1')) resolve(answer); });
      this.socket.send(message, hubPort, '127.0.0.1');
    });
  }
}

const uriToId = (uri: string) => /sip:(\d+)@/.exec(uri)?.[1] ?? '';

describe('GB/T 28181 cascade to an upper platform', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  const upper = new FakeUpper();
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
    upper.socket?.close();
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
    media.close();
  });
});
