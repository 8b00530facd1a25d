import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import {
  addCamera, FAST_RELAY, fetchMedia, ffmpegChildren, grantToTraffic, play, readFlv, relayOf, rtspConnections, segmentUris, startSimCameras, until,
} from './relay-fixtures.ts';

describeEachDatabase('relay: play sessions, single pull, revocation', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/gate1', '/gate2']);
    t = await startTestHub(kind, { overrides: FAST_RELAY });
    camera = await addCamera(t, rtsp.urlFor('/gate1'), 'Gate 1');
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  it('gives the owner department signed HLS that plays: playlist with tokenised segments, MPEG-TS bytes', async () => {
    const started = await play(t, t.users.psViewer, camera, 'hls');
    expect(started.status).toBe(201);
    expect(started.body.hlsUrl).toMatch(new RegExp(`^/media/hls/${camera}/index\\.m3u8\\?token=`));
    expect(started.body.grantId).toBeNull();
    const playlist = await fetchMedia(t, started.body.hlsUrl);
    expect(playlist.status).toBe(200);
    expect(playlist.type).toContain('mpegurl');
    const text = playlist.body.toString('utf8');
    expect(text).toContain('#EXTM3U');
    const segments = segmentUris(text);
    expect(segments.length).toBeGreaterThan(0);
    expect(segments[0]).toContain('?token=');
    const segment = await fetchMedia(t, `/media/hls/${camera}/${segments[0]}`);
    expect(segment.status).toBe(200);
    expect(segment.type).toBe('video/mp2t');
    expect(segment.body.length).toBeGreaterThan(1_000);
    expect(segment.body[0]).toBe(0x47); // MPEG-TS sync byte
    expect((await t.api(`/api/v1/play/${started.body.sessionId}/stop`, { method: 'POST', user: t.users.psViewer })).status).toBe(200);
  });

  it('serves HTTP-FLV starting with the FLV header and a video sequence header', async () => {
    const started = await play(t, t.users.psViewer, camera, 'flv');
    const flv = await readFlv(t, started.body.flvUrl, 64 * 1024);
    flv.controller.abort();
    expect(flv.status).toBe(200);
    expect(flv.data.subarray(0, 3).toString('latin1')).toBe('FLV');
    // Tag type 9 (video) right after the 9-byte header and 4-byte PreviousTagSize0, or after onMetaData.
    expect(flv.data.includes(Buffer.from([0x17, 0x00]))).toBe(true); // AVC key frame, sequence header
    await t.api(`/api/v1/play/${started.body.sessionId}/stop`, { method: 'POST', user: t.users.psViewer });
  });

  it('pulls the camera once however many viewers and leases there are', async () => {
    const second = await addCamera(t, rtsp.urlFor('/gate2'), 'Gate 2');
    const grant = await grantToTraffic(t, [second]);
    const viewers = [
      await play(t, t.users.psViewer, second, 'hls'), await play(t, t.users.admin, second, 'flv'),
      await play(t, t.users.trafficViewer, second, 'hls'), await play(t, t.users.psApprover, second, 'flv'),
    ];
    for (const v of viewers) expect(v.status).toBe(201);
    expect(viewers[2]!.body.grantId).toBe(grant);
    const lease = await relayOf(t).acquire(second, 'analytics-test');
    expect(lease.url).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\//);
    const flvs = await Promise.all([viewers[1]!, viewers[3]!].map((v) => readFlv(t, v.body.flvUrl, 16 * 1024)));
    for (const v of [viewers[0]!, viewers[2]!]) expect((await fetchMedia(t, v.body.hlsUrl)).status).toBe(200);
    const status = relayOf(t).status().find((s) => s.streamId === second)!;
    expect(status.consumers.length).toBe(5);
    // A health probe's DESCRIBE may be open for a moment; a second pull would stay.
    await expect.poll(() => rtspConnections(rtsp.port), { timeout: 10_000, interval: 250 }).toBe(1);
    for (const f of flvs) f.controller.abort();
    lease.release();
    const users = [t.users.psViewer, t.users.admin, t.users.trafficViewer, t.users.psApprover];
    for (const [i, v] of viewers.entries()) await t.api(`/api/v1/play/${v.body.sessionId}/stop`, { method: 'POST', user: users[i] });
    // idleStopSeconds = 1: the pull, its ffmpeg and the camera connection go away.
    await until('idle stop', () => !relayOf(t).stream(second));
    await until('camera connection closed', () => rtspConnections(rtsp.port) === 0);
  });

  it('refuses a department without a grant and the auditor; audits play start and stop', async () => {
    const denied = await play(t, t.users.trafficViewer, camera);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('CAMERA_ACCESS_DENIED');
    expect((await play(t, t.users.auditor, camera)).status).toBe(403);
    expect((await t.api(`/api/v1/cameras/nope-${'x'.repeat(8)}/play`, { user: t.users.admin, body: {} })).status).toBe(404);
    const started = await play(t, t.users.psViewer, camera);
    await t.api(`/api/v1/play/${started.body.sessionId}/stop`, { method: 'POST', user: t.users.psViewer });
    const events = await t.hub.ctx.db.selectFrom('audit_events').selectAll().where('target_id', '=', camera).where('action', 'in', ['play.start', 'play.stop']).execute();
    const mine = events.filter((e) => JSON.parse(e.details ?? '{}').sessionId === started.body.sessionId);
    expect(mine.map((e) => e.action).sort()).toEqual(['play.start', 'play.stop']);
    expect(mine.every((e) => e.user_id === t.users.psViewer.id && e.target_type === 'camera')).toBe(true);
    // Someone else's session cannot be stopped or renewed.
    const other = await play(t, t.users.psViewer, camera);
    expect((await t.api(`/api/v1/play/${other.body.sessionId}/stop`, { method: 'POST', user: t.users.psApprover })).status).toBe(404);
    expect((await t.api(`/api/v1/play/${other.body.sessionId}/renew`, { method: 'POST', user: t.users.admin })).status).toBe(404);
    const renewed = await t.api(`/api/v1/play/${other.body.sessionId}/renew`, { method: 'POST', user: t.users.psViewer });
    expect(renewed.status).toBe(200);
    expect(renewed.body.sessionId).toBe(other.body.sessionId);
    expect((await fetchMedia(t, renewed.body.hlsUrl)).status).toBe(200);
    await t.api(`/api/v1/play/${other.body.sessionId}/stop`, { method: 'POST', user: t.users.psViewer });
  });

  it('revoking the grant cuts the open FLV connection and refuses further fetches', async () => {
    const grant = await grantToTraffic(t, [camera]);
    const hls = await play(t, t.users.trafficViewer, camera, 'hls');
    const flv = await play(t, t.users.trafficViewer, camera, 'flv');
    expect(flv.status).toBe(201);
    const open = await readFlv(t, flv.body.flvUrl, 8 * 1024);
    expect(open.status).toBe(200);
    expect((await fetchMedia(t, hls.body.hlsUrl)).status).toBe(200);
    await t.hub.ctx.db.updateTable('grants').set({ revoked_at: Date.now(), revoked_by: t.users.psApprover.id, revoke_reason: 'test' }).where('id', '=', grant).execute();
    t.hub.ctx.events.emit('grant.revoked', { grantId: grant, granteeDepartmentId: t.departments.traffic, ownerDepartmentId: t.departments.ps, at: Date.now() });
    // The open response ends: reading to the end terminates (aborted or done).
    const reader = open.response.body!.getReader();
    const ended = await until('FLV cut', async () => {
      try { const r = await reader.read(); return r.done ? 'done' : undefined; } catch { return 'cut'; }
    }, 10_000, 0);
    expect(['done', 'cut']).toContain(ended);
    const after = await fetchMedia(t, hls.body.hlsUrl);
    expect(after.status).toBe(403);
    expect(JSON.parse(after.body.toString()).code).toBe('PLAY_SESSION_ENDED');
    expect((await play(t, t.users.trafficViewer, camera)).status).toBe(403);
    // The audit append runs after the cut; wait for it rather than race it.
    const stopped = await until('play.stop audited', async () => {
      const stops = await t.hub.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'play.stop').where('reason', '=', 'grant_revoked').execute();
      const ids = stops.map((s) => JSON.parse(s.details!).sessionId as string);
      return ids.length >= 2 ? ids : undefined;
    }, 5_000);
    expect(stopped.sort()).toEqual([hls.body.sessionId, flv.body.sessionId].sort());
  });

  it('ends revoked sessions even without the event (database re-check) and stops idle viewers', async () => {
    const grant = await grantToTraffic(t, [camera]);
    const started = await play(t, t.users.trafficViewer, camera, 'hls');
    expect((await fetchMedia(t, started.body.hlsUrl)).status).toBe(200);
    await t.hub.ctx.db.updateTable('grants').set({ revoked_at: Date.now() }).where('id', '=', grant).execute();
    await until('session ended by re-check', async () => (await fetchMedia(t, started.body.hlsUrl)).status === 403, 15_000, 250);
    const idle = await play(t, t.users.psViewer, camera, 'hls');
    expect((await fetchMedia(t, idle.body.hlsUrl)).status).toBe(200);
    await until('idle viewer ended', async () => {
      const row = await t.hub.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'play.stop').where('reason', '=', 'viewer_idle').execute();
      return row.some((r) => JSON.parse(r.details!).sessionId === idle.body.sessionId);
    }, 15_000, 250);
  });

  it('leaves no ffmpeg behind once the hub stops', async () => {
    const started = await play(t, t.users.psViewer, camera, 'hls');
    expect((await fetchMedia(t, started.body.hlsUrl)).status).toBe(200);
    expect(ffmpegChildren().length).toBeGreaterThan(0);
    await t.stop();
    expect(ffmpegChildren()).toEqual([]);
    t = undefined as unknown as TestHub;
  });
});
