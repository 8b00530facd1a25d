import { createSocket, type Socket } from 'node:dgram';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header } from '../../devtools/sim/gb28181/sim-sip.ts';
import { SimUpperPlatform, UPPER_DOMAIN, UPPER_ID, UPPER_PASSWORD } from '../../devtools/sim/gb28181/sim-upper-platform.ts';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import { RecordingIndex } from '../../recording/recording-index.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { startSimCameras, until } from '../relay/relay-fixtures.ts';
import { channelIds, clipUnits, gbOf, startGbHub, startSimDevice } from './gb-fixtures.ts';

const LOCAL_ID = '34020000002000000001';
const ACTOR = `gb28181-upper:${UPPER_ID}`;

/** A UDP port the upper platform receives RTP on; payloads (PS) and SSRCs as they arrive. */
async function mediaPort(): Promise<{ socket: Socket; port: number; payloads: Buffer[]; ssrcs: Set<number> }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const payloads: Buffer[] = [];
  const ssrcs = new Set<number>();
  socket.on('message', (packet) => { ssrcs.add(packet.readUInt32BE(8)); payloads.push(packet.subarray(12)); });
  return { socket, port: socket.address().port, payloads, ssrcs };
}

const playbackOffer = (channel: string, port: number, start: number, end: number, ssrc: string) =>
  `v=0\r\no=${UPPER_ID} 0 0 IN IP4 127.0.0.1\r\ns=Playback\r\nu=${channel}:0\r\nc=IN IP4 127.0.0.1\r\nt=${start} ${end}\r\nm=video ${port} RTP/AVP 96\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\ny=${ssrc}\r\n`;

const probe = (ps: Buffer) => execFileSync('ffprobe', ['-v', 'error', '-f', 'mpeg', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: ps }).toString().trim();

describe('GB/T 28181 cascade: playback and audit of what the upper platform does', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  let rtsp: Awaited<ReturnType<typeof startSimCameras>>;
  const upper = new SimUpperPlatform();
  const nvrId = '34020000001180000051';
  let hubPort = 0;
  const sip = (method: string, channel: string, body: string, dialog: { callId?: string; to?: string; cseq?: number } = {}) =>
    upper.request(hubPort, method, `sip:${channel}@127.0.0.1:${hubPort}`, body, method === 'MESSAGE' ? 'Application/MANSCDP+xml' : 'APPLICATION/SDP', dialog);
  const auditOf = (action: string) => t.hub.ctx.db.selectFrom('audit_events').select(['action', 'result', 'reason', 'username', 'user_id', 'target_type', 'target_id', 'details'])
    .where('action', '=', action).orderBy('seq').execute();

  beforeAll(async () => {
    const port = await upper.start();
    rtsp = await startSimCameras(['/yard']);
    t = await startGbHub('sqlite', { upper: { enabled: true, serverId: UPPER_ID, domain: UPPER_DOMAIN, host: '127.0.0.1', port, localId: LOCAL_ID, password: UPPER_PASSWORD, keepaliveSeconds: 1 } },
      { recording: { segmentSeconds: 2, pollMs: 200 } });
    hubPort = gbOf(t).server!.port;
    nvr = await startSimDevice(t, nvrId, 2, { units: await clipUnits(), playbackSeconds: 4 });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
    await until('registered upward', () => upper.registered >= 1, 20_000);
  }, 90_000);
  afterAll(async () => {
    nvr?.kill();
    await t?.stop();
    await rtsp?.stop();
    upper.socket?.close();
  });

  it('plays the hub\'s own recordings of a shared camera to the upper (s=Playback), only with the playback right; MediaStatus 121 at the end of the range; audited', async () => {
    const created = await t.api('/api/v1/cameras', { user: t.users.communityApprover, body: { name: '社区后院', departmentId: t.departments.community, category: 'community', streamUrl: rtsp.urlFor('/yard') } });
    expect(created.status).toBe(201);
    const cameraId: string = created.body.id;
    const nationalId = await until('national ID', async () => (await t.hub.ctx.cameras.find(cameraId))?.national_id ?? undefined);
    expect((await t.api(`/api/v1/cameras/${cameraId}/recording`, { method: 'PUT', user: t.users.communityApprover, body: { mode: 'continuous' } })).status).toBe(200);
    const index = new RecordingIndex(t.hub.ctx.db);
    const segments = await until('four recorded segments', async () => {
      const found = await index.segmentsBetween(cameraId, 0, Date.now() + 60_000);
      return found.length >= 4 ? found : undefined;
    }, 90_000, 250);
    const start = Math.ceil(segments[0]!.startedAt / 1_000) + 1;
    const end = Math.floor(segments[3]!.endedAt / 1_000);
    const media = await mediaPort();
    try {
      // Not shared at all: 404; shared for live only: 403.
      expect((await sip('INVITE', nationalId, playbackOffer(nationalId, media.port, start, end, '1440100001'))).startLine).toMatch(/^SIP\/2\.0 404 /);
      expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId } })).status).toBe(201);
      expect((await sip('INVITE', nationalId, playbackOffer(nationalId, media.port, start, end, '1440100001'))).startLine).toMatch(/^SIP\/2\.0 403 /);
      expect(media.payloads).toHaveLength(0);
      expect((await t.api(`/api/v1/gb28181/upper/shares/${cameraId}`, { method: 'DELETE', user: t.users.communityApprover })).status).toBe(200);
      expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId, playback: true } })).status).toBe(201);

      const callId = 'upper-playback-hub@127.0.0.1';
      const ok = await sip('INVITE', nationalId, playbackOffer(nationalId, media.port, start, end, '1440100001'), { callId });
      expect(ok.startLine).toBe('SIP/2.0 200 OK');
      expect(ok.body.toString()).toMatch(/^s=Playback\r?$/m);
      expect(ok.body.toString()).toContain(`t=${start} ${end}`);
      await sip('ACK', nationalId, '', { callId, to: header(ok, 'To')! });
      await until('MediaStatus 121 at the end of the recorded range', () => upper.mediaStatus.find((m) => m.callId === callId), 60_000, 200);
      expect(upper.mediaStatus.find((m) => m.callId === callId)).toEqual({ channelId: nationalId, notifyType: '121', callId });
      expect([...media.ssrcs]).toEqual([1440100001]);
      const ps = Buffer.concat(media.payloads);
      expect(ps.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0xba]));
      const probed = probe(ps);
      expect(probed).toMatch(/^h264,\d+$/);
      // About the range (a few seconds at 15 fps), not the whole recording or nothing.
      expect(Number(probed.split(',')[1])).toBeGreaterThan(15);
      expect((await sip('BYE', nationalId, '', { callId, to: header(ok, 'To')!, cseq: 2 })).startLine).toBe('SIP/2.0 200 OK');
    } finally {
      media.socket.close();
    }
    const audit = await auditOf('gb28181.upper.playback');
    expect(audit.map((e) => [e.result, e.reason, e.username, e.user_id, e.target_type, e.target_id])).toEqual([
      ['denied', 'CHANNEL_NOT_SHARED', ACTOR, null, 'camera', cameraId],
      ['denied', 'PLAYBACK_NOT_SHARED', ACTOR, null, 'camera', cameraId],
      ['ok', null, ACTOR, null, 'camera', cameraId],
    ]);
    expect(JSON.parse(audit[2]!.details!)).toMatchObject({ upperId: UPPER_ID, channelId: nationalId, from: start * 1_000, to: end * 1_000, source: 'hub' });
  }, 150_000);

  it('plays a recording held on the GB device when the hub has none of the range; BYE from the upper ends the device call', async () => {
    const [first] = channelIds(nvrId, 1);
    const cameraId = await until('channel camera', async () => (await t.hub.ctx.cameras.findByNationalId(first!))?.id);
    expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId, playback: true } })).status).toBe(201);
    const start = Math.floor(new Date(2026, 4, 1, 0, 0, 0).getTime() / 1_000);
    const media = await mediaPort();
    try {
      const callId = 'upper-playback-device@127.0.0.1';
      const ok = await sip('INVITE', first!, playbackOffer(first!, media.port, start, start + 6, '1440100002'), { callId });
      expect(ok.startLine).toBe('SIP/2.0 200 OK');
      await sip('ACK', first!, '', { callId, to: header(ok, 'To')! });
      // The device got the same range (s=Playback, t= in Unix seconds) and sends 4 s of it, then MediaStatus 121.
      await until('the device was asked for the range', () => nvr.playbacks.find((p) => p.start === start && p.end === start + 6));
      await until('MediaStatus 121 passed up to the upper', () => upper.mediaStatus.find((m) => m.callId === callId), 40_000, 200);
      expect(nvr.mediaStatusSent).toBeGreaterThanOrEqual(1);
      expect([...media.ssrcs]).toEqual([1440100002]);
      expect(probe(Buffer.concat(media.payloads))).toMatch(/^h264,\d+$/);
      expect((await sip('BYE', first!, '', { callId, to: header(ok, 'To')!, cseq: 2 })).startLine).toBe('SIP/2.0 200 OK');

      // A second playback stopped by the upper midway: the hub hangs up on the device too.
      const byes = nvr.byes;
      const second = 'upper-playback-device-2@127.0.0.1';
      const again = await sip('INVITE', first!, playbackOffer(first!, media.port, start + 3_600, start + 3_660, '1440100003'), { callId: second });
      expect(again.startLine).toBe('SIP/2.0 200 OK');
      await sip('ACK', first!, '', { callId: second, to: header(again, 'To')! });
      await until('second device playback flowing upward', () => media.ssrcs.has(1440100003), 30_000);
      expect((await sip('BYE', first!, '', { callId: second, to: header(again, 'To')!, cseq: 2 })).startLine).toBe('SIP/2.0 200 OK');
      await until('device call hung up', () => nvr.byes > byes && nvr.activeStreams === 0);
      expect(upper.mediaStatus.some((m) => m.callId === second)).toBe(false);
    } finally {
      media.socket.close();
    }
    const audit = await auditOf('gb28181.upper.playback');
    expect(audit.filter((e) => e.target_id === cameraId).map((e) => [e.result, JSON.parse(e.details!).source])).toEqual([['ok', 'device'], ['ok', 'device']]);
  }, 120_000);

  it('audits PTZ and RecordInfo from the upper platform, relayed or refused, with the upper as the actor', async () => {
    const [, second] = channelIds(nvrId, 2);
    const cameraId = await until('channel camera', async () => (await t.hub.ctx.cameras.findByNationalId(second!))?.id);
    const control = (cmd: string) => sip('MESSAGE', second!, `<?xml version="1.0" encoding="GB2312"?><Control><CmdType>DeviceControl</CmdType><SN>90</SN><DeviceID>${second}</DeviceID><PTZCmd>${cmd}</PTZCmd></Control>`);
    const records = () => sip('MESSAGE', second!, `<?xml version="1.0" encoding="GB2312"?><Query><CmdType>RecordInfo</CmdType><SN>91</SN><DeviceID>${second}</DeviceID><StartTime>2026-05-01T00:00:00</StartTime><EndTime>2026-05-01T03:00:00</EndTime><Type>all</Type></Query>`);
    expect((await control('A50F01011F0000D5')).startLine).toMatch(/^SIP\/2\.0 404 /);
    expect((await t.api('/api/v1/gb28181/upper/shares', { user: t.users.communityApprover, body: { cameraId, ptz: true } })).status).toBe(201);
    expect((await control('A50F01011F0000D5')).startLine).toBe('SIP/2.0 200 OK');
    await until('PTZ relayed', () => nvr.ptz.length === 1);
    expect((await records()).startLine).toMatch(/^SIP\/2\.0 403 /);
    const ptz = await until('PTZ audited', async () => { const rows = await auditOf('gb28181.upper.ptz'); return rows.length === 2 ? rows : undefined; });
    expect(ptz.map((e) => [e.result, e.reason, e.username, e.target_type, e.target_id, JSON.parse(e.details!).ptzCmd])).toEqual([
      ['denied', 'SIP_404', ACTOR, 'camera', cameraId, 'A50F01011F0000D5'],
      ['ok', null, ACTOR, 'camera', cameraId, 'A50F01011F0000D5'],
    ]);
    const recordsAudit = await auditOf('gb28181.upper.records');
    expect(recordsAudit.map((e) => [e.result, e.reason, e.target_id, JSON.parse(e.details!).startTime])).toEqual([['denied', 'SIP_403', cameraId, '2026-05-01T00:00:00']]);
    // The auditors' query finds them by the action prefix.
    const listed = await t.api('/api/v1/audit/events?action=gb28181.upper.*', { user: t.users.auditor });
    expect(listed.status).toBe(200);
    expect(listed.body.events.filter((e: { action: string }) => e.action === 'gb28181.upper.ptz')).toHaveLength(2);
  }, 60_000);
});
