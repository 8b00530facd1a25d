import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { requestAndApprove } from '../access/access-fixture.ts';
import { fetchMedia, play, readFlv, relayOf, segmentUris, until } from '../relay/relay-fixtures.ts';
import { clipUnits, gbOf, startGbHub, startSimDevice } from './gb-fixtures.ts';

/** ffprobe's count of decodable H.264 frames in an MPEG-TS segment. */
function h264Frames(segment: Buffer): { codec: string; frames: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gb-seg-'));
  try {
    const path = join(dir, 'seg.ts');
    writeFileSync(path, segment);
    const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,nb_read_frames', '-of', 'json', path], { encoding: 'utf8' });
    const stream = (JSON.parse(out) as { streams: Array<{ codec_name: string; nb_read_frames: string }> }).streams[0]!;
    return { codec: stream.codec_name, frames: Number(stream.nb_read_frames) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('GB/T 28181 live: a viewer of another department plays a GB channel', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  const nvrId = '34020000001180000002';
  let camera: string;

  beforeAll(async () => {
    t = await startGbHub('sqlite');
    nvr = await startSimDevice(t, nvrId, 2, { units: await clipUnits() });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
    const cameras = await until('GB cameras online', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body.filter((c: { source: string; status: string }) => c.source === 'gb28181' && c.status === 'online');
      return list.length === 2 && list;
    });
    camera = cameras.find((c: { name: string }) => c.name.startsWith('通道1')).id;
  }, 120_000);
  afterAll(async () => {
    nvr?.kill();
    await t?.stop();
  });

  it('refuses the traffic viewer until the community approves, then serves HLS with H.264 frames and FLV from one INVITE', async () => {
    expect((await play(t, t.users.trafficViewer, camera, 'hls')).status).toBe(403);
    await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, {
      ownerDepartmentId: t.departments.community, targetKind: 'cameras', cameraIds: [camera], scopes: ['live'], endsAt: Date.now() + 3_600_000,
    });
    const hls = await play(t, t.users.trafficViewer, camera, 'hls');
    expect(hls.status).toBe(201);
    const playlist = await fetchMedia(t, hls.body.hlsUrl);
    expect(playlist.status).toBe(200);
    const segments = segmentUris(playlist.body.toString('utf8'));
    expect(segments.length).toBeGreaterThan(0);
    const segment = await fetchMedia(t, `/media/hls/${camera}/${segments[0]}`);
    expect(segment.status).toBe(200);
    const probed = h264Frames(segment.body);
    expect(probed.codec).toBe('h264');
    expect(probed.frames).toBeGreaterThan(5);

    const flvSession = await play(t, t.users.communityApprover, camera, 'flv');
    expect(flvSession.status).toBe(201);
    const flv = await readFlv(t, flvSession.body.flvUrl, 64 * 1024);
    flv.controller.abort();
    expect(flv.data.subarray(0, 3).toString('latin1')).toBe('FLV');
    expect(flv.data.includes(Buffer.from([0x17, 0x00]))).toBe(true); // AVC key frame, sequence header
    expect(nvr.invites).toBe(1);
    expect(nvr.activeStreams).toBe(1);
    // A still comes from the running pull (no second INVITE).
    const still = await fetch(`${t.url}/api/v1/cameras/${camera}/snapshot`, { headers: { authorization: `Bearer ${t.users.communityApprover.token}` } });
    expect(still.status).toBe(200);
    expect(still.headers.get('content-type')).toBe('image/jpeg');
    expect(nvr.invites).toBe(1);
    const session = gbOf(t).feeds.running()[0]!;
    expect(session.rtp.packets).toBeGreaterThan(50);
    expect(session.rtp.dropped).toBe(0);

    // Nobody watching any more: the pull stops after idleStopSeconds and the call ends with BYE.
    await t.api(`/api/v1/play/${hls.body.sessionId}/stop`, { method: 'POST', user: t.users.trafficViewer });
    await t.api(`/api/v1/play/${flvSession.body.sessionId}/stop`, { method: 'POST', user: t.users.communityApprover });
    await until('BYE sent, stream gone', () => nvr.byes === 1 && nvr.activeStreams === 0 && !relayOf(t).stream(camera), 20_000);
    expect(gbOf(t).feeds.running()).toEqual([]);
  });

  it('calls the channel again when the device stops sending, and drops RTP with a foreign SSRC', async () => {
    // A lease of the relay (as analytics holds one): the pull runs without a viewer polling the playlist.
    const lease = await relayOf(t).acquire(camera, 'gb-test');
    const invitesBefore = nvr.invites;
    const [target] = nvr.streamTargets();
    const { createSocket } = await import('node:dgram');
    const stray = createSocket('udp4');
    const packet = Buffer.alloc(100);
    packet[0] = 0x80; packet[1] = 96; packet.writeUInt32BE((target!.ssrc + 1) >>> 0, 8);
    for (let i = 0; i < 20; i++) stray.send(packet, target!.port, target!.host);
    const session = gbOf(t).feeds.running()[0]!;
    await until('foreign SSRC dropped', () => session.rtp.dropped >= 20);
    stray.close();
    nvr.stallStreams();
    await until('re-INVITE after the RTP timeout', () => nvr.invites > invitesBefore && nvr.activeStreams === 1, 30_000);
    const packets = session.rtp.packets;
    await until('RTP flowing again', () => session.rtp.packets > packets + 50);
    lease.release();
  });

  it('moves PTZ through DeviceControl for the owner (8-byte PTZCmd, stop after the timeout), refuses a live-only grant', async () => {
    const denied = await t.api(`/api/v1/cameras/${camera}/ptz/move`, { user: t.users.trafficViewer, body: { pan: 0.5, timeoutMs: 300 } });
    expect(denied.status).toBe(403);
    const moved = await t.api(`/api/v1/cameras/${camera}/ptz/move`, { user: t.users.communityApprover, body: { pan: 1, tilt: -0.5, timeoutMs: 300 } });
    expect(moved.status).toBe(200);
    // right|down (0x05), pan 0xFF, tilt 0x80; then the stop after 300 ms.
    await until('move and stop received', () => nvr.ptz.length >= 2);
    expect(nvr.ptz.map((p) => p.cmd)).toEqual(['A50F0105FF800039', 'A50F0100000000B5']);
    expect(nvr.ptz[0]!.channelId).toBe((await t.hub.ctx.cameras.find(camera))!.national_id);
    expect((await t.api(`/api/v1/cameras/${camera}/ptz/presets/3/goto`, { method: 'POST', user: t.users.communityApprover })).status).toBe(200);
    await until('preset call received', () => nvr.ptz.length === 3);
    expect(nvr.ptz[2]!.cmd).toBe('A50F01820103003B');
    expect((await t.api(`/api/v1/cameras/${camera}/ptz/presets/x/goto`, { method: 'POST', user: t.users.communityApprover })).body.code).toBe('GB_PTZ_INVALID');
    // The presets the device lists (PresetQuery answered by the device), in Chinese as it sent them.
    const presets = await t.api(`/api/v1/cameras/${camera}/ptz/presets`, { user: t.users.communityApprover });
    expect(presets.status).toBe(200);
    expect(presets.body).toEqual([{ token: '1', name: '大门' }, { token: '2', name: '停车场入口' }]);
    expect((await t.api(`/api/v1/cameras/${camera}/ptz/presets`, { user: t.users.trafficViewer })).status).toBe(403);
  });

  it.each([
    ['tcp-passive', 'the device connects'],
    ['tcp-active', 'the device listens on the port its answer names, the hub connects'],
  ] as const)('receives over %s when the device is set to it (%s), RTP framed by length', async (mode, _how) => {
    await until('previous streams stopped', () => relayOf(t).status().length === 0, 20_000);
    const patched = await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { streamMode: mode } });
    expect(patched.body.streamMode).toBe(mode);
    const lease = await relayOf(t).acquire(camera, `gb-${mode}-test`);
    try {
      expect(nvr.streamTargets().map((target) => target.transport)).toEqual(['tcp']);
      const session = gbOf(t).feeds.running()[0]!;
      await until('RTP over TCP flowing', () => session.rtp.packets > 50);
      expect(session.rtp.dropped).toBe(0);
      expect(await relayOf(t).stream(camera)!.waitForPlaylist(20_000)).toBe(true);
    } finally {
      lease.release();
      await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { streamMode: 'udp' } });
    }
  });

  it('lists the recordings the NVR holds for a channel (RecordInfo over several MESSAGEs), for whoever may watch it', async () => {
    const hour = 3_600_000;
    const start = Math.ceil(Date.now() / hour) * hour - 5 * hour;
    const answer = await t.api(`/api/v1/cameras/${camera}/gb28181/records?start=${start}&end=${start + 5 * hour}`, { user: t.users.trafficViewer });
    expect(answer.status).toBe(200);
    expect(answer.body.complete).toBe(true);
    expect(answer.body.records.map((r: { start: number; end: number }) => [r.start - start, r.end - start])).toEqual(
      [0, 1, 2, 3, 4].map((h) => [h * hour, h * hour + hour / 2]));
    expect(answer.body.records[0]).toMatchObject({ type: 'time', fileSize: 1_048_576, filePath: `/rec/${start}.mp4` });
    expect((await t.api(`/api/v1/cameras/${camera}/gb28181/records?start=${start}&end=${start + 5 * hour}`, { user: t.users.psViewer })).status).toBe(403);
    expect((await t.api(`/api/v1/cameras/${camera}/gb28181/records?start=${start}&end=${start - 1}`, { user: t.users.trafficViewer })).body.code).toBe('GB_RECORD_RANGE_INVALID');
  });

  it('a device killed mid-stream goes offline, and once it is back the running pull calls it again', async () => {
    await until('previous streams stopped', () => relayOf(t).status().length === 0, 20_000);
    const lease = await relayOf(t).acquire(camera, 'gb-comeback-test');
    try {
      nvr.kill();
      await until('device offline', () => !gbOf(t).server!.sessions.get(nvrId), 15_000);
      nvr = await startSimDevice(t, nvrId, 2, { units: await clipUnits() });
      await until('re-INVITE to the device that came back', () => nvr.invites >= 1 && nvr.activeStreams === 1, 45_000);
      const session = gbOf(t).feeds.running()[0]!;
      const packets = session.rtp.packets;
      await until('RTP flowing from the new device session', () => session.rtp.packets > packets + 50, 20_000);
    } finally {
      lease.release();
    }
  }, 90_000);

  it('answers 503 GB_DEVICE_OFFLINE for a channel of a device that is gone', async () => {
    await until('previous stream stopped', () => !relayOf(t).stream(camera), 20_000);
    nvr.kill();
    await until('device offline', () => !gbOf(t).server!.sessions.get(nvrId), 15_000);
    const started = await play(t, t.users.communityApprover, camera, 'hls');
    expect(started.status).toBe(503);
    expect(started.body.code).toBe('GB_DEVICE_OFFLINE');
    const still = await t.api(`/api/v1/cameras/${camera}/snapshot`, { user: t.users.communityApprover });
    expect(still.status).toBe(503);
    expect(still.body.code).toBe('SNAPSHOT_NEEDS_LIVE');
  });
});
