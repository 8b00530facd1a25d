import { createSocket } from 'node:dgram';
import { createConnection } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { until } from '../relay/relay-fixtures.ts';
import { GB_PASSWORD, gbOf, startGbHub, startSimDevice } from '../gb28181/gb-fixtures.ts';
import { authorizationFor, RawSipClient, sipRequest } from '../gb28181/raw-sip-client.ts';
import { recordFault } from './fault-table.ts';
import { LoopDelay } from './loop-delay.ts';

/**
 * Hostile GB/T 28181 peers: malformed SIP, unknown and 19-digit IDs, wrong digests, a keepalive flood, a
 * 10,000-channel catalogue over 200 MESSAGEs, hostile XML, garbage on TCP and on an RTP port. Each is
 * refused the SIP way (400/401/403/404/415) or survived, and a registered device is served throughout.
 */
describeEachDatabase('hostile GB/T 28181 peers: refused the SIP way, other devices unaffected', (kind) => {
  let t: TestHub;
  let client: RawSipClient;
  let good: SimGbDevice;
  const goodId = '34020000001180000011';
  const bigId = '34020000001181000012'; // another channel block than goodId's (channel IDs are unique network-wide)
  const loop = new LoopDelay();

  beforeAll(async () => {
    t = await startGbHub(kind, { strict: true, password: '', tcpIdleSeconds: 3 });
    for (const id of [goodId, bigId]) {
      const added = await t.api('/api/v1/gb28181/devices', { user: t.users.admin, body: { id, password: GB_PASSWORD } });
      expect(added.status).toBe(201);
    }
    good = await startSimDevice(t, goodId, 2);
    client = await new RawSipClient(gbOf(t).server!.port).open();
    loop.start();
  }, 60_000);
  afterAll(async () => {
    client?.close();
    good?.kill();
    await t?.stop();
  });

  it('drops what is not SIP, answers REGISTER faults with 400/401/403', async () => {
    const before = gbOf(t).server!.malformed;
    for (const junk of ['\x00\x01\x02garbage', 'INVITE\r\n\r\n', `REGISTER sip:x SIP/2.0\r\n${'X-Pad: a\r\n'.repeat(5_000)}\r\n`, 'SIP/2.0 200 OK\r\nVia: x\r\n\r\n']) client.send(junk);
    await until('malformed datagrams counted', () => gbOf(t).server!.malformed >= before + 4);
    const port = client.port;
    expect((await client.status(sipRequest('REGISTER', { user: '3402000000118000001', port, extra: ['Expires: 3600'] }))).status).toBe(403); // 19 digits
    expect((await client.status(sipRequest('REGISTER', { user: '34020000001180009999', port, extra: ['Expires: 3600'] }))).status).toBe(403); // strict: unknown
    expect((await client.status(sipRequest('REGISTER', { user: bigId, port }))).status).toBe(400); // no Expires
    const challenge = await client.status(sipRequest('REGISTER', { user: bigId, port, extra: ['Expires: 3600'] }));
    expect(challenge.status).toBe(401);
    expect(challenge.text).toMatch(/WWW-Authenticate: Digest realm="3402000000",qop="auth",nonce="[0-9a-f]{32}",algorithm=MD5/);
    const wrong = await client.status(sipRequest('REGISTER', { user: bigId, port, extra: ['Expires: 3600', authorizationFor(challenge.text!, bigId, 'not-the-password')] }));
    expect(wrong.status).toBe(403);
    const forged = await client.status(sipRequest('REGISTER', { user: bigId, port, extra: ['Expires: 3600', authorizationFor(challenge.text!.replace(/nonce="[^"]+"/, 'nonce="00000000000000000000000000000000"'), bigId, GB_PASSWORD)] }));
    expect(forged.status).toBe(401); // a nonce we never issued: challenged again
    const ok = await client.status(sipRequest('REGISTER', { user: bigId, port, extra: ['Expires: 3600', authorizationFor(challenge.text!, bigId, GB_PASSWORD)] }));
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/\r\nDate: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\r\n/);
    expect(ok.text).toMatch(new RegExp(`Via: SIP/2\\.0/UDP 127\\.0\\.0\\.1:${port};rport=${port};branch=[^;]+;received=127\\.0\\.0\\.1`));
    expect((await client.status(sipRequest('REGISTER', { user: bigId, port, extra: ['Expires: 0'] }))).status).toBe(401);
    recordFault({ fault: 'GB28181 malformed SIP, 19-digit / unknown ID, wrong digest, forged nonce', expected: 0, found: 0, duplicates: 0, recoverySeconds: null, note: kind });
  });

  it('answers unregistered senders 404, hostile XML 400, a foreign root 415; survives a keepalive flood', async () => {
    const port = client.port;
    const keepalive = (id: string) => `<?xml version="1.0" encoding="GB2312"?><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>${id}</DeviceID><Status>OK</Status></Notify>`;
    expect((await client.status(sipRequest('MESSAGE', { user: '34020000001180009998', port, body: keepalive('34020000001180009998') }))).status).toBe(404);
    const flooder = new RawSipClient(gbOf(t).server!.port);
    await flooder.open();
    const challenge = await flooder.status(sipRequest('REGISTER', { user: bigId, port: flooder.port, extra: ['Expires: 3600'] }));
    expect((await flooder.status(sipRequest('REGISTER', { user: bigId, port: flooder.port, extra: ['Expires: 3600', authorizationFor(challenge.text!, bigId, GB_PASSWORD)] }))).status).toBe(200);
    const bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><Notify><CmdType>Keepalive</CmdType><SN>&a;</SN></Notify>';
    expect((await flooder.status(sipRequest('MESSAGE', { user: bigId, port: flooder.port, body: bomb }))).status).toBe(400);
    expect((await flooder.status(sipRequest('MESSAGE', { user: bigId, port: flooder.port, body: '<?xml version="1.0"?><Evil><CmdType>x</CmdType></Evil>' }))).status).toBe(415);
    const started = Date.now();
    for (let i = 0; i < 5_000; i++) flooder.send(sipRequest('MESSAGE', { user: bigId, port: flooder.port, body: keepalive(bigId), cseq: i + 2 }));
    // Meanwhile the well-behaved device is answered.
    expect(await good.sendKeepalive()).toBe(200);
    flooder.close();
    expect(gbOf(t).server!.sessions.get(goodId)).toBeDefined();
    recordFault({ fault: 'GB28181 keepalive flood (5,000 MESSAGEs)', expected: 1, found: 1, duplicates: 0, recoverySeconds: (Date.now() - started) / 1_000, note: `${kind}; the other device's keepalive answered 200` });
  });

  it('assembles a 10,000-channel catalogue sent over 200 MESSAGEs', async () => {
    const big = await startSimDevice(t, bigId, 10_000, { catalogGroup: 50 });
    try {
      await until('10,000 channels stored', async () => (await gbOf(t).devices.channels(bigId)).length === 10_000, 120_000, 1_000);
    } finally {
      big.kill();
    }
  }, 180_000);

  it('closes a TCP peer that sends garbage, frames a REGISTER split over TCP writes, drops garbage RTP, closes a TCP peer that stalls mid-message', async () => {
    const port = gbOf(t).server!.port;
    const garbage = createConnection({ host: '127.0.0.1', port });
    await new Promise((resolve) => garbage.once('connect', resolve));
    garbage.write(Buffer.alloc(20_000, 0x41));
    await new Promise((resolve) => garbage.once('close', resolve));
    const tcp = createConnection({ host: '127.0.0.1', port });
    await new Promise((resolve) => tcp.once('connect', resolve));
    const register = sipRequest('REGISTER', { user: goodId, port: tcp.localPort!, extra: ['Expires: 3600'] }).replace('SIP/2.0/UDP', 'SIP/2.0/TCP');
    const answer = new Promise<string>((resolve) => tcp.once('data', (data) => resolve(data.toString('latin1'))));
    tcp.write(register.slice(0, 40));
    await new Promise((r) => setTimeout(r, 50));
    tcp.write(register.slice(40));
    expect(await answer).toMatch(/^SIP\/2\.0 401 /);
    tcp.destroy();
    // Garbage on a port of the RTP range is never read by anyone (no stream there), and the hub keeps serving.
    const udp = createSocket('udp4');
    for (let i = 0; i < 100; i++) udp.send(Buffer.alloc(1_200, i), 40_000 + (i % 10), '127.0.0.1');
    udp.close();
    expect(await good.sendKeepalive()).toBe(200);

    // A TCP peer that stalls halfway through a message (slowloris) holds one bounded buffer until the idle
    // timeout closes it; the other devices are answered meanwhile.
    const staller = createConnection({ host: '127.0.0.1', port });
    await new Promise((resolve) => staller.once('connect', resolve));
    const openedAt = Date.now();
    const closed = new Promise<number>((resolve) => staller.once('close', () => resolve(Date.now() - openedAt)));
    staller.on('error', () => {});
    staller.write(sipRequest('REGISTER', { user: goodId, port: staller.localPort!, extra: ['Expires: 3600'] }).replace('SIP/2.0/UDP', 'SIP/2.0/TCP').slice(0, 120));
    expect(await good.sendKeepalive()).toBe(200);
    // tcpIdleSeconds is 3 here: closed by the hub, not left open.
    expect(await Promise.race([closed, new Promise((r) => setTimeout(r, 30_000, 'still open'))])).toBeGreaterThanOrEqual(2_500);
    expect(gbOf(t).server!.sessions.get(goodId)).toBeDefined();
    const { p99Ms } = loop.stop();
    expect(p99Ms).toBeLessThan(500);
  });
});
