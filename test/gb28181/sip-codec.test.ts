import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { accessUnits } from '../../devtools/sim/gb28181/h264-access-units.ts';
import { psFrame, rtpPackets } from '../../devtools/sim/gb28181/ps-packetizer.ts';
import { GbCatalogAssembler, type GbCatalogChannel } from '../../ingest/gb28181/gb-catalog-assembler.ts';
import { GbSsrcs } from '../../ingest/gb28181/gb-ssrcs.ts';
import { buildManscdp, parseManscdp, text } from '../../ingest/gb28181/manscdp.ts';
import { moveCommand, presetCallCommand, ptzCommand } from '../../ingest/gb28181/ptz-command.ts';
import { digestResponse, parseDigest, verifyDigest } from '../../ingest/gb28181/sip-digest.ts';
import { formatSip, param, parseDatagram, uriUser } from '../../ingest/gb28181/sip-message.ts';
import { SipStreamFramer } from '../../ingest/gb28181/sip-stream-framer.ts';

const REGISTER = [
  'REGISTER sip:34020000002000000003@49.7.197.1:8900 SIP/2.0', 'Call-ID: 60374244d4828764e4b64a6e622d2521@172.27.0.27', 'CSeq: 413 REGISTER',
  'From: <sip:34020092992000868740@1101070049>;tag=a16a1715', 'To: <sip:34020092992000868740@1101070049>',
  'v: SIP/2.0/TCP 172.27.0.27:15060;branch=z9hG4bK8770638578;rport', 'Max-Forwards: 70', 'Contact: <sip:34020092992000868740@172.27.0.27:15060>',
  'Expires: 3600', 'Content-Length: 0', '', '',
].join('\r\n');

describe('SIP codec', () => {
  it('parses the REGISTER wvp sends (compact Via), and writes it back with Content-Length', () => {
    const message = parseDatagram(Buffer.from(REGISTER));
    expect(message.kind).toBe('request');
    if (message.kind !== 'request') return;
    expect(message.method).toBe('REGISTER');
    expect(uriUser(message.headers.get('from'))).toBe('34020092992000868740');
    expect(param(message.headers.get('via'), 'rport')).toBe('');
    expect(param(message.headers.get('via'), 'branch')).toBe('z9hG4bK8770638578');
    expect(param(message.headers.get('from'), 'tag')).toBe('a16a1715');
    const again = parseDatagram(formatSip(message));
    expect(again.headers.get('call-id')).toBe('60374244d4828764e4b64a6e622d2521@172.27.0.27');
  });

  it('refuses what is not SIP with SIP_MALFORMED', () => {
    for (const bad of ['hello', 'REGISTER sip:x SIP/2.0\r\n\r\n', REGISTER.replace('CSeq: 413 REGISTER', 'CSeq: x'), REGISTER.replace('Content-Length: 0', 'Content-Length: 99999999'), REGISTER.replace('Content-Length: 0', 'Content-Length: 10')]) {
      expect(() => parseDatagram(Buffer.from(bad))).toThrow(expect.objectContaining({ code: 'SIP_MALFORMED' }));
    }
  });

  it('frames TCP by Content-Length across arbitrary chunks, skips CRLF keep-alives, refuses endless headers', () => {
    const body = '<Notify/>';
    const withBody = REGISTER.replace('Content-Length: 0', `Content-Length: ${body.length}`) + body;
    const stream = Buffer.from(`\r\n\r\n${withBody}${REGISTER}`);
    const framer = new SipStreamFramer();
    const out = [];
    for (let i = 0; i < stream.length; i += 7) out.push(...framer.push(stream.subarray(i, i + 7)));
    expect(out.map((m) => m.body.toString())).toEqual([body, '']);
    expect(framer.buffered).toBe(0);
    expect(() => new SipStreamFramer().push(Buffer.alloc(20_000, 0x41))).toThrow(expect.objectContaining({ code: 'SIP_MALFORMED' }));
    expect(() => new SipStreamFramer().push(Buffer.from(REGISTER.replace('Content-Length: 0\r\n', '')))).toThrow(expect.objectContaining({ code: 'SIP_MALFORMED' }));
  });

  it('computes and checks RFC 2617 digests with and without qop', () => {
    const base = { username: '34020000001320000001', realm: '3402000000', password: '12345678', method: 'REGISTER', uri: 'sip:34020000002000000001@3402000000', nonce: 'abc' };
    const plain = digestResponse(base);
    expect(verifyDigest({ ...base, response: plain }, { realm: base.realm, password: '12345678', method: 'REGISTER' })).toBe(true);
    expect(verifyDigest({ ...base, response: plain }, { realm: base.realm, password: 'wrong', method: 'REGISTER' })).toBe(false);
    const qop = digestResponse({ ...base, qop: 'auth', nc: '00000001', cnonce: 'xyz' });
    const header = `Digest username="${base.username}",realm="${base.realm}",nonce="abc",uri="${base.uri}",response="${qop}",algorithm=MD5,qop=auth,cnonce="xyz",nc=00000001`;
    expect(verifyDigest(parseDigest(header)!, { realm: base.realm, password: '12345678', method: 'REGISTER' })).toBe(true);
    expect(parseDigest('Basic abc')).toBeUndefined();
  });
});

describe('MANSCDP and catalogue assembly', () => {
  it('reads GB2312/GB18030 bodies (rare characters too), UTF-8 bodies, and bare & from Hikvision', () => {
    const gb = iconv.encode('<?xml version="1.0" encoding="GB2312"?><Response><CmdType>DeviceInfo</CmdType><SN>1</SN><DeviceID>34020000001320000001</DeviceID><DeviceName>南门 萳 A&B</DeviceName></Response>', 'gb18030');
    const doc = parseManscdp(gb);
    expect(doc.root).toBe('Response');
    expect(text(doc.node, 'DeviceName')).toBe('南门 萳 A&B');
    expect(parseManscdp(Buffer.from('<?xml version="1.0" encoding="UTF-8"?><Notify><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>1</DeviceID></Notify>')).sn).toBe('7');
    expect(parseManscdp(buildManscdp('Query', [['CmdType', 'Catalog'], ['SN', '5'], ['DeviceID', '3402']])).cmdType).toBe('Catalog');
    expect(() => parseManscdp(Buffer.from('<Evil><CmdType>x</CmdType></Evil>'))).toThrow(expect.objectContaining({ code: 'MANSCDP_INVALID' }));
  });

  it('puts a multi-part catalogue together by SN and SumNum, counting groups, skipping non-channel items', async () => {
    const done: Array<{ channels: GbCatalogChannel[]; complete: boolean }> = [];
    const assembler = new GbCatalogAssembler(200, (_id, channels, complete) => done.push({ channels, complete }));
    const part = (sn: string, ids: string[]) => parseManscdp(Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><Response><CmdType>Catalog</CmdType><SN>${sn}</SN><DeviceID>34020000001180000001</DeviceID><SumNum>3</SumNum><DeviceList Num="${ids.length}">${ids.map((id) => `<Item><DeviceID>${id}</DeviceID><Name>n${id.slice(-1)}</Name><Status>OFF</Status><Info><PTZType>1</PTZType></Info><Longitude>0</Longitude></Item>`).join('')}</DeviceList></Response>`));
    assembler.push('d', part('1', ['34020000002150000001', '34020000001310000001']));
    expect(done).toEqual([]);
    assembler.push('d', part('1', ['34020000001310000002']));
    expect(done).toHaveLength(1);
    expect(done[0]!.complete).toBe(true);
    expect(done[0]!.channels.map((c) => [c.id, c.status, c.ptzType, c.lon])).toEqual([['34020000001310000001', 'OFF', 1, null], ['34020000001310000002', 'OFF', 1, null]]);
    // A device that answered a retransmission of the query too sends the same answer again: not assembled twice.
    assembler.push('d', part('1', ['34020000002150000001', '34020000001310000001']));
    assembler.push('d', part('1', ['34020000001310000002']));
    expect(done).toHaveLength(1);
    assembler.push('d', part('2', ['34020000001310000003']));
    await new Promise((r) => setTimeout(r, 400));
    expect(done[1]).toMatchObject({ complete: false, channels: [{ id: '34020000001310000003' }] });
    // Parts that come after a partial answer was taken are still assembled.
    assembler.push('d', part('2', ['34020000001310000001']));
    await new Promise((r) => setTimeout(r, 400));
    expect(done[2]).toMatchObject({ complete: false, channels: [{ id: '34020000001310000001' }] });
    assembler.stop();
  });
});

describe('PTZCmd, SSRC, PS', () => {
  it('builds the facts sheet\'s PTZ examples with their checksums', () => {
    expect(ptzCommand(0, 0, 0, 0)).toBe('A50F0100000000B5');
    expect(ptzCommand(0x01, 0x1f, 0, 0)).toBe('A50F01011F0000D5');
    expect(presetCallCommand(1)).toBe('A50F018201010039');
    expect(moveCommand({ pan: 0, tilt: 0, zoom: 1 })).toBe('A50F01100000F0B5');
    expect(() => ptzCommand(1, 256, 0, 0)).toThrow(expect.objectContaining({ code: 'GB_PTZ_INVALID' }));
    expect(() => presetCallCommand(0)).toThrow(expect.objectContaining({ code: 'GB_PTZ_INVALID' }));
  });

  it('allocates live SSRCs as 0 + domain digits 4-8 + a sequence, unique among running streams', () => {
    const ssrcs = new GbSsrcs('3402000000');
    expect(ssrcs.allocate()).toBe('0200000000');
    const second = ssrcs.allocate();
    expect(second).toBe('0200000001');
    expect(ssrcs.allocate(true)).toBe('1200000002');
    ssrcs.release(second);
    expect(ssrcs.allocate()).toBe('0200000003');
  });

  it('packs frames as PS (pack header, system header + PSM on key frames, PES with PTS) in ≤1400-byte RTP packets', () => {
    const sps = Buffer.from([0, 0, 0, 1, 0x67, 1, 2]);
    const idr = Buffer.concat([Buffer.from([0, 0, 0, 1, 0x65, 0x88]), Buffer.alloc(5_000, 7)]);
    const p = Buffer.concat([Buffer.from([0, 0, 0, 1, 0x41, 0x9a]), Buffer.alloc(100, 1)]);
    const units = accessUnits(Buffer.concat([sps, idr, p, sps, idr]));
    expect(units.map((u) => u.key)).toEqual([true, false, true]);
    const ps = psFrame(units[0]!.data, 90_000, true);
    expect(ps.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0xba]));
    expect(ps.indexOf(Buffer.from([0, 0, 1, 0xbc]))).toBeGreaterThan(0);
    expect(ps.indexOf(Buffer.from([0, 0, 1, 0xe0]))).toBeGreaterThan(0);
    const { packets, nextSeq } = rtpPackets(ps, { ssrc: 20_000_001, seq: 65_535, timestamp: 90_000 });
    expect(packets.every((pk) => pk.length <= 1_412)).toBe(true);
    expect(packets.map((pk) => pk[1]! & 0x80)).toEqual([...Array(packets.length - 1).fill(0), 0x80]);
    expect(packets[0]!.readUInt32BE(8)).toBe(20_000_001);
    expect(nextSeq).toBe(packets.length - 1);
  });
});
