import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { requestAndApprove } from '../access/access-fixture.ts';
import { relayOf, until } from '../relay/relay-fixtures.ts';
import { clipUnits, gbOf, startGbHub, startSimDevice } from './gb-fixtures.ts';

const HOUR = 3_600_000;
const FPS = 15;

describe('GB/T 28181 device playback controls: pause, resume, seek and speed go to the device as MANSRTSP', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  let camera: string;
  const nvrId = '34020000001180000061';

  beforeAll(async () => {
    t = await startGbHub('sqlite');
    nvr = await startSimDevice(t, nvrId, 1, { units: await clipUnits(), fps: FPS });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
    camera = await until('GB camera online', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body.filter((c: { source: string; status: string }) => c.source === 'gb28181' && c.status === 'online');
      return list[0]?.id as string | undefined;
    });
    await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, {
      ownerDepartmentId: t.departments.community, targetKind: 'cameras', cameraIds: [camera], scopes: ['playback'], playbackLookback: 'days', playbackDays: 1, endsAt: Date.now() + HOUR,
    });
  }, 120_000);
  afterAll(async () => {
    nvr?.kill();
    await t?.stop();
  });

  it('pause stops the RTP (and the hub does not take the silence for a dead stream), play resumes, seek restarts from the new position, scale changes the pace', async () => {
    const from = Math.ceil(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const opened = await t.api(`/api/v1/playback/cameras/${camera}/device-sessions`, { user: t.users.trafficViewer, body: { from, to: from + HOUR / 2, reason: 'case 2026-201' } });
    expect(opened.status).toBe(201);
    const sessionId = opened.body.sessionId as string;
    const control = (body: Record<string, unknown>, user = t.users.trafficViewer) => t.api(`/api/v1/playback/device-sessions/${sessionId}/control`, { user, body });
    const callId = nvr.playbacks.at(-1)!.callId;
    const stream = await until('device streaming the recording', () => nvr.streamOf(callId));
    await until('frames flowing', () => stream.framesSent > FPS);
    const feed = gbOf(t).feeds.running().find((s) => s.playback)!;

    // Pause: the device stops sending; longer than rtpTimeoutSeconds (3 s here) and the call is still up.
    const paused = await control({ action: 'pause' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, scale: 1 });
    expect(nvr.controls.at(-1)).toEqual({ callId, command: { kind: 'pause' } });
    expect(stream.paused).toBe(true);
    const atPause = stream.framesSent;
    const packetsAtPause = feed.rtp.lastPacketAt;
    // The relay stream of this playback: its stall watchdog (relay.stallSeconds = 3 here) must not restart it either.
    const relayStream = relayOf(t).status().map((s) => relayOf(t).stream(s.streamId)).find((s) => s?.fed)!;
    expect(relayStream).toBeDefined();
    const stallsAtPause = relayStream.stallRestarts;
    await new Promise((r) => setTimeout(r, 4_500));
    expect(relayStream.stallRestarts, 'a paused playback is not a stalled stream').toBe(stallsAtPause);
    expect(stream.framesSent).toBe(atPause);
    expect(feed.rtp.lastPacketAt).toBe(packetsAtPause);
    expect(feed.finished).toBe(false);
    expect(nvr.byes).toBe(0);

    // Play: on from where it stopped.
    const positionAtPause = stream.position;
    expect((await control({ action: 'resume' })).body).toMatchObject({ paused: false });
    expect(nvr.controls.at(-1)!.command).toEqual({ kind: 'play' });
    await until('RTP again after resume', () => stream.framesSent > atPause + FPS && feed.rtp.lastPacketAt > packetsAtPause);
    expect(stream.position).toBeGreaterThan(positionAtPause);
    expect(stream.position).toBeLessThan(positionAtPause + 60);

    // Seek 20 minutes in: Range npt=1200-, the device goes on from there (the key frame at or before it).
    const seek = await control({ action: 'seek', at: from + 20 * 60_000 + 500 });
    expect(seek.status).toBe(200);
    expect(seek.body.position).toBe(from + 20 * 60_000);
    expect(nvr.controls.at(-1)!.command).toEqual({ kind: 'play', seekSeconds: 1_200 });
    expect(stream.position).toBeGreaterThanOrEqual(1_199);
    const afterSeek = stream.framesSent;
    await until('frames from the new position', () => stream.framesSent > afterSeek + FPS);
    expect(stream.position).toBeGreaterThan(1_199);
    expect(stream.position).toBeLessThan(1_260);

    // Scale 2: frames go out about twice as fast as real time (the device catches up when its timer is late, never runs ahead at 1×).
    const speed = await control({ action: 'speed', scale: 2 });
    expect(speed.body).toMatchObject({ scale: 2, paused: false });
    expect(nvr.controls.at(-1)!.command).toEqual({ kind: 'play', scale: 2 });
    const startFrames = stream.framesSent;
    const startAt = Date.now();
    await until('pace above 1.5× real time', () => {
      const elapsed = (Date.now() - startAt) / 1_000;
      return elapsed > 2 && (stream.framesSent - startFrames) / (elapsed * FPS) > 1.5;
    }, 30_000, 200);

    // Refusals: a seek outside the range, someone else's session, an unknown one.
    expect((await control({ action: 'seek', at: from + HOUR })).body.code).toBe('GB_SEEK_OUTSIDE_RANGE');
    expect((await control({ action: 'pause' }, t.users.psViewer)).status).toBe(404);
    expect((await t.api('/api/v1/playback/device-sessions/nope/control', { user: t.users.trafficViewer, body: { action: 'pause' } })).status).toBe(404);
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['details']).where('action', '=', 'gb28181.playback.control').orderBy('seq').execute();
    expect(audit.map((e) => JSON.parse(e.details!).action)).toEqual(['pause', 'resume', 'seek', 'speed']);
    expect((await t.api(`/api/v1/playback/sessions/${sessionId}/stop`, { method: 'POST', user: t.users.trafficViewer })).status).toBe(200);
    await until('device call ended', () => nvr.byes === 1 && nvr.activeStreams === 0, 20_000);
  }, 120_000);
});
