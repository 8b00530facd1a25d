import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantToTraffic, until } from '../relay/relay-fixtures.ts';
import { fetchWithCookie, openPlayback, startRecordingHub, type RecordingHub } from './playback-fixtures.ts';

const DAY = 86_400_000;

describe('playback of recordings (HLS VOD)', () => {
  let h: RecordingHub;
  let recorded: { from: number; to: number };

  beforeAll(async () => {
    h = await startRecordingHub('sqlite');
    const segments = await h.segments(3);
    recorded = { from: segments[0]!.startedAt, to: segments.at(-1)!.endedAt };
  }, 120_000);
  afterAll(async () => h?.stop());

  it('shows the timeline and plays a signed VOD playlist with program date-times; refusals have stable codes', async () => {
    const { t, cameraId } = h;
    const owner = t.users.psViewer;
    const timeline = await t.api(`/api/v1/playback/cameras/${cameraId}/timeline?from=${recorded.from - 60_000}&to=${Date.now()}`, { user: owner });
    expect(timeline.status).toBe(200);
    expect(timeline.body.spans.length).toBeGreaterThanOrEqual(1);
    expect(timeline.body.spans[0].from).toBe(recorded.from);

    const bad = async (body: Record<string, unknown>) => (await openPlayback(t, owner, cameraId, body));
    expect((await bad({ from: recorded.from, to: recorded.to, reason: '' })).body.code).toBe('REASON_REQUIRED');
    expect((await bad({ from: recorded.from, to: recorded.from, reason: 'case 42' })).body).toMatchObject({ code: 'RANGE_EMPTY' });
    const month = await bad({ from: Date.now() - 30 * DAY, to: Date.now(), reason: 'case 42' });
    expect([month.status, month.body.code]).toEqual([400, 'RANGE_TOO_LONG']);
    const before = await bad({ from: recorded.from - 3_600_000, to: recorded.from - 1_800_000, reason: 'case 42' });
    expect([before.status, before.body.code]).toEqual([404, 'PLAYBACK_NOT_RECORDED']);
    expect(before.body.message).toMatch(/next recording starts at/);
    const future = await bad({ from: Date.now() + 60_000, to: Date.now() + 120_000, reason: 'case 42' });
    expect([future.status, future.body.code]).toEqual([400, 'RANGE_IN_FUTURE']);

    const opened = await openPlayback(t, owner, cameraId, { from: recorded.from + 500, to: recorded.to, reason: 'case 42: hit and run' });
    expect(opened.status).toBe(201);
    expect(opened.body.firstSegmentAt).toBe(recorded.from);
    const playlist = await fetchWithCookie(t, opened.body.playlistUrl, opened.cookie);
    expect(playlist.status).toBe(200);
    expect(playlist.text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist.text).toContain(`#EXT-X-PROGRAM-DATE-TIME:${new Date(recorded.from).toISOString()}`);
    expect(playlist.text.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
    const uris = playlist.text.split('\n').filter((l) => l.includes('.ts?token='));
    expect(uris.length).toBeGreaterThanOrEqual(3);
    const base = opened.body.playlistUrl.replace(/index\.m3u8\?.*$/, '');
    const segment = await fetchWithCookie(t, `${base}${uris[0]}`, opened.cookie);
    expect(segment.status).toBe(200);
    expect(segment.body[0]).toBe(0x47); // MPEG-TS sync byte
    // The URL alone is not enough (binding cookie), nor a missing token.
    expect((await fetchWithCookie(t, `${base}${uris[0]}`, '')).status).toBe(403);
    expect((await fetchWithCookie(t, `${base}${uris[0]!.split('?')[0]}`, opened.cookie)).status).toBe(401);

    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['reason', 'details']).where('action', '=', 'playback.start').execute();
    expect(audit.map((a) => a.reason)).toContain('case 42: hit and run');
  });

  it('playback needs a grant with scope playback within its lookback; revocation cuts a running playback', async () => {
    const { t, cameraId } = h;
    const grantee = t.users.trafficViewer;
    const body = { from: recorded.from, to: recorded.to, reason: 'traffic investigation 7' };
    expect((await openPlayback(t, grantee, cameraId, body)).body.code).toBe('CAMERA_ACCESS_DENIED');
    const liveOnly = await grantToTraffic(t, [cameraId], ['live']);
    expect((await openPlayback(t, grantee, cameraId, body)).body.code).toBe('CAMERA_ACCESS_DENIED');
    await t.hub.ctx.db.updateTable('grants').set({ revoked_at: Date.now() }).where('id', '=', liveOnly).execute();

    // Only the grant's own window: it began after the recording started, so the recording's start is out of reach.
    const windowOnly = await grantToTraffic(t, [cameraId], ['playback']);
    await t.hub.ctx.db.updateTable('grants').set({ playback_lookback: 'window', starts_at: recorded.from + 1_000 }).where('id', '=', windowOnly).execute();
    const beyond = await openPlayback(t, grantee, cameraId, body);
    expect([beyond.status, beyond.body.code]).toEqual([403, 'PLAYBACK_BEYOND_GRANT']);
    await t.hub.ctx.db.updateTable('grants').set({ revoked_at: Date.now() }).where('id', '=', windowOnly).execute();

    const grant = await grantToTraffic(t, [cameraId], ['playback']);
    await t.hub.ctx.db.updateTable('grants').set({ playback_lookback: 'days', playback_days: 7 }).where('id', '=', grant).execute();
    const opened = await openPlayback(t, grantee, cameraId, body);
    expect(opened.status).toBe(201);
    expect(opened.body.grantId).toBe(grant);
    expect((await fetchWithCookie(t, opened.body.playlistUrl, opened.cookie)).status).toBe(200);

    const revoked = await t.api(`/api/v1/access/grants/${grant}/revoke`, { user: t.users.psApprover, body: { reason: 'case closed' } });
    expect(revoked.status).toBe(200);
    const after = await until('playback cut', async () => {
      const answer = await fetchWithCookie(t, opened.body.playlistUrl, opened.cookie);
      return answer.status === 403 ? answer : undefined;
    }, 10_000);
    expect(JSON.parse(after.text).code).toBe('PLAYBACK_SESSION_ENDED');
    const stops = await t.hub.ctx.db.selectFrom('audit_events').select('reason').where('action', '=', 'playback.stop').execute();
    expect(stops.map((s) => s.reason)).toContain('grant_revoked');
  });

  it('marks passes and crowd alerts on the timeline; "play from here" only where the camera recorded and the user may play', async () => {
    const { t, cameraId } = h;
    const at = recorded.from + 1_000;
    const watch = await t.api('/api/v1/checkpoint/watchlist', { user: t.users.psApprover, body: { plate: '京PB0001', matchKind: 'exact', reason: 'ps case 2026-7', validUntil: Date.now() + 3_600_000 } });
    expect(watch.status).toBe(201);
    const ingest = await t.api('/api/v1/checkpoint/passes', { user: t.users.admin, body: { records: [{ id: 'pb-pass-1', cameraId, passedAt: at, plate: '京PB0001', plateColour: 'blue', plateConfidence: 0.97, charConfidences: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9] }] } });
    expect(ingest.status).toBe(200);
    // A watchlist entry raises alerts for passes after it was made; this pass is older, so its alert row is put in directly.
    await t.hub.ctx.db.insertInto('checkpoint_alerts').values({ id: 'pb-alert-1', watchlist_id: watch.body.id, pass_id: 'pb-pass-1', plate: '京PB0001', camera_id: cameraId, passed_at: at, raised_at: Date.now(), acknowledged_at: null, acknowledged_by: null, ack_note: null }).execute();
    await t.hub.ctx.db.insertInto('crowd_alerts').values({ id: 'pb-crowd-1', camera_id: cameraId, zone_id: 'gate', started_at: at, raised_at: at + 500, ended_at: null, threshold: 10, peak_count: 14 }).execute();
    const timeline = await until('the watchlist alert on the timeline', async () => {
      const answer = await t.api(`/api/v1/playback/cameras/${cameraId}/timeline?from=${recorded.from}&to=${recorded.to}`, { user: t.users.psViewer });
      return answer.body.events.some((e: { kind: string }) => e.kind === 'alert') ? answer : undefined;
    }, 10_000);
    expect(timeline.body.eventsShown).toBe(true);
    expect(timeline.body.events.map((e: { kind: string; id: string }) => `${e.kind}:${e.id}`)).toEqual(expect.arrayContaining(['pass:pb-pass-1', 'crowd:pb-crowd-1']));
    expect(timeline.body.events.find((e: { kind: string }) => e.kind === 'alert')).toMatchObject({ label: '京PB0001', passId: 'pb-pass-1', at });
    const items = [{ cameraId, at }, { cameraId, at: recorded.from - 3_600_000 }, { cameraId: 'no-such-camera', at }];
    expect((await t.api('/api/v1/playback/coverage', { user: t.users.psViewer, body: { items } })).body.recorded).toEqual([true, false, false]);
    // Another department without a playback grant: no link.
    expect((await t.api('/api/v1/playback/coverage', { user: t.users.communityApprover, body: { items } })).body.recorded).toEqual([false, false, false]);
  });

  it('a segment file deleted behind the hub\'s back answers 404 and becomes a gap in the index', async () => {
    const { t, cameraId, index } = h;
    const [first] = await index.segmentsBetween(cameraId, recorded.from, recorded.to);
    const { rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    await rm(join(t.hub.ctx.dataDir, 'recordings', first!.path));
    const opened = await openPlayback(t, t.users.psViewer, cameraId, { from: recorded.from, to: recorded.to, reason: 'missing file check' });
    const base = opened.body.playlistUrl.replace(/index\.m3u8\?.*$/, '');
    const token = opened.body.playlistUrl.split('?')[1];
    const answer = await fetchWithCookie(t, `${base}${first!.id}.ts?${token}`, opened.cookie);
    expect([answer.status, JSON.parse(answer.text).code]).toEqual([404, 'PLAYBACK_SEGMENT_MISSING']);
    expect((await index.segment(first!.id))?.state).toBe('missing');
    const playlist = await fetchWithCookie(t, opened.body.playlistUrl, opened.cookie);
    expect(playlist.text).not.toContain(first!.id);
  });
});
