import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimGbDevice } from '../../devtools/sim/gb28181/sim-gb-device.ts';
import type { TestHub, TestUser } from '../helpers/test-hub.ts';
import { requestAndApprove } from '../access/access-fixture.ts';
import { relayOf, segmentUris, until } from '../relay/relay-fixtures.ts';
import { clipUnits, startGbHub, startSimDevice } from './gb-fixtures.ts';

const HOUR = 3_600_000;

/** ffprobe of one MPEG-TS segment: codec and decodable frames of its video. */
function probe(segment: Buffer): { codec: string; frames: number } {
  const dir = mkdtempSync(join(tmpdir(), 'gb-pb-'));
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

describe('GB/T 28181 playback of recordings held on the device, under the playback rules', () => {
  let t: TestHub;
  let nvr: SimGbDevice;
  let camera: string;
  let grantId: string;
  const nvrId = '34020000001180000003';
  /** Cookie of each opened session (the browser's binding). */
  const cookies = new Map<string, string>();
  const media = async (path: string, sessionId: string) => {
    const response = await fetch(`${t.url}${path}`, { headers: { cookie: cookies.get(sessionId) ?? '' } });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  };
  const open = async (user: TestUser, body: Record<string, unknown>) => {
    const answer = await t.api(`/api/v1/playback/cameras/${camera}/device-sessions`, { user, body });
    if (answer.status === 201) cookies.set(answer.body.sessionId, answer.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; '));
    return answer;
  };

  beforeAll(async () => {
    t = await startGbHub('sqlite');
    nvr = await startSimDevice(t, nvrId, 1, { units: await clipUnits(), playbackSeconds: 5 });
    await t.api(`/api/v1/gb28181/devices/${nvrId}`, { method: 'PATCH', user: t.users.admin, body: { departmentId: t.departments.community, category: 'community' } });
    camera = await until('GB camera online', async () => {
      const list = (await t.api('/api/v1/cameras', { user: t.users.admin })).body.filter((c: { source: string; status: string }) => c.source === 'gb28181' && c.status === 'online');
      return list[0]?.id as string | undefined;
    });
    ({ grantId } = await requestAndApprove(t, t.users.trafficViewer, t.users.communityApprover, {
      ownerDepartmentId: t.departments.community, targetKind: 'cameras', cameraIds: [camera], scopes: ['playback'], playbackLookback: 'days', playbackDays: 1, endsAt: Date.now() + HOUR,
    }));
  }, 120_000);
  afterAll(async () => {
    nvr?.kill();
    await t?.stop();
  });

  it('lists the device recordings within the lookback and refuses viewers without playback, ranges beyond the grant, a missing reason', async () => {
    const from = Math.ceil(Date.now() / HOUR) * HOUR - 4 * HOUR;
    const listed = await t.api(`/api/v1/playback/cameras/${camera}/device-records?from=${from}&to=${from + 3 * HOUR}`, { user: t.users.trafficViewer });
    expect(listed.status).toBe(200);
    expect(listed.body.complete).toBe(true);
    expect(listed.body.records.map((r: { from: number; to: number }) => [r.from - from, r.to - from])).toEqual([0, 1, 2].map((h) => [h * HOUR, h * HOUR + HOUR / 2]));
    expect((await t.api(`/api/v1/playback/cameras/${camera}/device-records?from=${from}&to=${from + HOUR}`, { user: t.users.psViewer })).status).toBe(403);
    // One Date.now(): two could be a millisecond apart and make the range one ms over maxRangeHours (RANGE_TOO_LONG).
    const now = Date.now();
    const tooOld = await t.api(`/api/v1/playback/cameras/${camera}/device-records?from=${now - 3 * 86_400_000}&to=${now - 2 * 86_400_000}`, { user: t.users.trafficViewer });
    expect(tooOld.body.code).toBe('PLAYBACK_BEYOND_GRANT');
    expect((await open(t.users.trafficViewer, { from, to: from + HOUR / 2, reason: '' })).body.code).toBe('REASON_REQUIRED');
    expect((await open(t.users.psViewer, { from, to: from + HOUR / 2, reason: 'case 12' })).status).toBe(403);
    expect(nvr.playbacks).toEqual([]);
  });

  it('plays a recording through the relay: INVITE s=Playback with u= and t=, HLS in recording time, H.264 frames, end of file, BYE on stop', async () => {
    const from = Math.ceil(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const opened = await open(t.users.trafficViewer, { from, to: from + HOUR / 2, reason: 'case 2026-118 burglary' });
    expect(opened.status).toBe(201);
    expect(opened.body.playlistUrl).toMatch(/^\/media\/gbvod\//);
    expect(nvr.playbacks).toEqual([expect.objectContaining({ start: from / 1_000, end: (from + HOUR / 2) / 1_000 })]);
    const sessionId = opened.body.sessionId as string;

    const playlist = await media(opened.body.playlistUrl, sessionId);
    expect(playlist.status).toBe(200);
    const text = playlist.body.toString('utf8');
    const times = [...text.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(\S+)/g)].map((m) => Date.parse(m[1]!));
    expect(times.length).toBeGreaterThan(0);
    // Program date-times are the recording's time, not the wall clock.
    for (const at of times) expect(at - from >= 0 && at - from < 30_000).toBe(true);
    const [first] = segmentUris(text);
    const segment = await media(`/media/gbvod/${sessionId}/${first}`, sessionId);
    expect(segment.status).toBe(200);
    const probed = probe(segment.body);
    expect(probed.codec).toBe('h264');
    expect(probed.frames).toBeGreaterThan(5);
    // Without the browser's binding cookie the same URL is refused.
    expect((await fetch(`${t.url}${opened.body.playlistUrl}`)).status).toBe(403);

    // The device sends its 5 s, says MediaStatus 121, and the hub hangs up; the playlist then ends.
    await until('end of file and BYE', () => nvr.mediaStatusSent === 1 && nvr.byes === 1, 30_000);
    await until('playlist ends', async () => (await media(opened.body.playlistUrl, sessionId)).body.toString('utf8').includes('#EXT-X-ENDLIST'), 20_000);

    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'reason']).where('target_id', '=', camera).execute();
    expect(audit).toEqual(expect.arrayContaining([{ action: 'playback.start', reason: 'case 2026-118 burglary' }, { action: 'gb28181.playback', reason: 'case 2026-118 burglary' }]));
    expect((await t.api(`/api/v1/playback/sessions/${sessionId}/stop`, { method: 'POST', user: t.users.trafficViewer })).status).toBe(200);
    await until('relay stream of the playback gone', () => relayOf(t).status().length === 0, 20_000);
    expect((await media(opened.body.playlistUrl, sessionId)).status).toBe(403);
  });

  it('revoking the grant ends a running device playback: the session, the relay stream and the call', async () => {
    const from = Math.ceil(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const byes = nvr.byes;
    const opened = await open(t.users.trafficViewer, { from, to: from + HOUR / 2, reason: 'case 2026-119' });
    expect(opened.status).toBe(201);
    expect(nvr.activeStreams).toBe(1);
    const revoked = await t.api(`/api/v1/access/grants/${grantId}/revoke`, { user: t.users.communityApprover, body: { reason: 'case closed' } });
    expect(revoked.status).toBe(200);
    await until('call ended with BYE', () => nvr.byes === byes + 1 && nvr.activeStreams === 0 && relayOf(t).status().length === 0, 20_000);
    expect((await media(opened.body.playlistUrl, opened.body.sessionId)).status).toBe(403);
  });
});
