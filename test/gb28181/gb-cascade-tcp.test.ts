import { execFileSync } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header } from '../../devtools/sim/gb28181/sim-sip.ts';
import { SimUpperPlatform, UPPER_DOMAIN, UPPER_ID, UPPER_PASSWORD } from '../../devtools/sim/gb28181/sim-upper-platform.ts';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';
import { channelIds, clipUnits, gbOf, startGbHub, startSimDevice } from './gb-fixtures.ts';

const LOCAL_ID = '34020000002000000001';

/** RTP packets out of an RFC 4571 stream (2-byte big-endian length before each packet). */
function rfc4571Reader(socket: Socket) {
  const got = { ssrcs: new Set<number>(), payloads: [] as Buffer[], closed: false };
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      const packet = pending.subarray(2, 2 + pending.readUInt16BE(0));
      pending = pending.subarray(2 + packet.length);
      expect(packet[0]! >> 6).toBe(2); // RTP version 2: the framing is in step
      got.ssrcs.add(packet.readUInt32BE(8));
      got.payloads.push(packet.subarray(12));
    }
  });
  socket.on('close', () => { got.closed = true; });
  socket.on('error', () => {});
  return got;
}

function probePs(payloads: Buffer[]): string {
  const ps = Buffer.concat(payloads);
  expect(ps.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0xba]));
  return execFileSync('ffprobe', ['-v', 'error', '-f', 'mpeg', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: ps }).toString().trim();
}

const offer = (port: number, setup: 'active' | 'passive', ssrc: string) =>
  `v=0\r\no=x 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video ${port} TCP/RTP/AVP 96\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\na=setup:${setup}\r\na=connection:new\r\ny=${ssrc}\r\n`;

describe('GB/T 28181 cascade to an upper platform over TCP', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  let hubPort = 0;
  const upper = new SimUpperPlatform('tcp');
  const nvrId = '34020000001180000061';
  const [first, second] = channelIds(nvrId, 2);

  beforeAll(async () => {
    const port = await upper.start();
    t = await startGbHub('sqlite', { upper: { enabled: true, transport: 'tcp', serverId: UPPER_ID, domain: UPPER_DOMAIN, host: '127.0.0.1', port, localId: LOCAL_ID, password: UPPER_PASSWORD, keepaliveSeconds: 1 } });
    hubPort = gbOf(t).server!.port;
    nvr = await startSimDevice(t, nvrId, 2, { units: await clipUnits() });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
    const camera = await until('channel camera', async () => (await t.hub.ctx.cameras.findByNationalId(first!))?.id);
    expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId: camera } })).status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    nvr?.kill();
    await t?.stop();
    upper.stop();
  });

  it('registers with digest, keeps alive and answers the catalogue query over the TCP connection it opened', async () => {
    await until('registered upward over TCP and keeping alive', () => upper.registered >= 1 && upper.keepalives >= 2, 20_000);
    expect(upper.connections).toBeGreaterThanOrEqual(1);
    expect((await t.api('/api/v1/gb28181/upper', { user: t.users.admin })).body.state).toBe('online');
    const query = await upper.request(hubPort, 'MESSAGE', `sip:${LOCAL_ID}@127.0.0.1:${hubPort}`, `<?xml version="1.0" encoding="GB2312"?><Query><CmdType>Catalog</CmdType><SN>81</SN><DeviceID>${LOCAL_ID}</DeviceID></Query>`, 'Application/MANSCDP+xml');
    expect(query.startLine).toBe('SIP/2.0 200 OK');
    await until('catalogue received upward over TCP', () => upper.catalogItems.length >= 1);
    expect(upper.catalogItems).toEqual([first]);
    // An unshared channel is refused over TCP as over UDP.
    expect((await upper.request(hubPort, 'INVITE', `sip:${second}@127.0.0.1:${hubPort}`, offer(50_000, 'passive', '0440100011'), 'APPLICATION/SDP')).startLine).toMatch(/^SIP\/2\.0 404 /);
  });

  it('upper listens (a=setup:passive): the hub answers setup:active, connects after the ACK and sends RFC 4571-framed PS over RTP; BYE ends it', async () => {
    const received: Array<ReturnType<typeof rfc4571Reader>> = [];
    const listener = createServer((socket) => received.push(rfc4571Reader(socket)));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const port = (listener.address() as { port: number }).port;
      const callId = 'upper-tcp-passive@127.0.0.1';
      const ok = await upper.request(hubPort, 'INVITE', `sip:${first}@127.0.0.1:${hubPort}`, offer(port, 'passive', '0440100012'), 'APPLICATION/SDP', { callId });
      expect(ok.startLine).toBe('SIP/2.0 200 OK');
      const answer = ok.body.toString();
      expect(answer).toMatch(/^m=video \d+ TCP\/RTP\/AVP 96$/m);
      expect(answer).toMatch(/^a=setup:active$/m);
      const to = header(ok, 'To')!;
      await upper.request(hubPort, 'ACK', `sip:${first}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId, to });
      await until('framed PS arriving over TCP', () => (received[0]?.payloads.length ?? 0) > 150, 30_000);
      expect([...received[0]!.ssrcs]).toEqual([440100012]);
      const probed = probePs(received[0]!.payloads);
      expect(probed).toMatch(/^h264,\d+$/);
      expect(Number(probed.split(',')[1])).toBeGreaterThan(5);
      expect((await upper.request(hubPort, 'BYE', `sip:${first}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId, to, cseq: 2 })).startLine).toBe('SIP/2.0 200 OK');
      await until('the hub closed its media connection after BYE', () => received[0]!.closed, 10_000);
    } finally {
      listener.close();
    }
  });

  it('upper connects (a=setup:active): the hub listens on a port of the RTP range, answers setup:passive with it and sends framed PS on the connection', async () => {
    const callId = 'upper-tcp-active@127.0.0.1';
    const ok = await upper.request(hubPort, 'INVITE', `sip:${first}@127.0.0.1:${hubPort}`, offer(9, 'active', '0440100013'), 'APPLICATION/SDP', { callId });
    expect(ok.startLine).toBe('SIP/2.0 200 OK');
    const answer = ok.body.toString();
    expect(answer).toMatch(/^a=setup:passive$/m);
    const port = Number(/^m=video (\d+) TCP\/RTP\/AVP 96$/m.exec(answer)?.[1]);
    expect(port).toBeGreaterThanOrEqual(40_000);
    expect(port).toBeLessThanOrEqual(40_999);
    const to = header(ok, 'To')!;
    const socket = connect({ host: '127.0.0.1', port });
    const got = rfc4571Reader(socket);
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
    await upper.request(hubPort, 'ACK', `sip:${first}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId, to });
    try {
      await until('framed PS arriving on the connection we opened', () => got.payloads.length > 150, 30_000);
      expect([...got.ssrcs]).toEqual([440100013]);
      expect(probePs(got.payloads)).toMatch(/^h264,\d+$/);
      expect((await upper.request(hubPort, 'BYE', `sip:${first}@127.0.0.1:${hubPort}`, '', 'APPLICATION/SDP', { callId, to, cseq: 2 })).startLine).toBe('SIP/2.0 200 OK');
      await until('the hub closed the media connection after BYE', () => got.closed, 10_000);
      // The listening port is closed with the call.
      const refused = await new Promise<boolean>((resolve) => {
        const probe = connect({ host: '127.0.0.1', port });
        probe.once('connect', () => { probe.destroy(); resolve(false); });
        probe.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    } finally {
      socket.destroy();
    }
  });
});
