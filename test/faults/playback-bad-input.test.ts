import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWithCookie, openPlayback, startRecordingHub, waitForExport, type RecordingHub } from '../playback/playback-fixtures.ts';
import { recordFault } from './fault-table.ts';

const DAY = 86_400_000;

// Issue 16's bad input for playback and export, as fault-table rows: every hostile request refused with
// its stable code and nothing half-written; a segment file removed behind the hub's back costs that
// segment only.
describe('playback and evidence export under bad input', () => {
  let h: RecordingHub;
  let recorded: { from: number; to: number };

  beforeAll(async () => {
    h = await startRecordingHub('sqlite');
    const segments = await h.segments(4, 90_000);
    recorded = { from: segments[0]!.startedAt, to: segments.at(-1)!.endedAt };
  }, 150_000);
  afterAll(async () => h?.stop());

  it('seeks beyond the recording, empty and 30-day ranges, and a camera the user may not see are refused with stable codes', async () => {
    const { t, cameraId } = h;
    const reason = 'fault table check';
    const cases: Array<[string, () => Promise<{ status: number; body: any }>, number, string]> = [
      ['seek before the recording', () => openPlayback(t, t.users.psViewer, cameraId, { from: recorded.from - 7_200_000, to: recorded.from - 3_600_000, reason }), 404, 'PLAYBACK_NOT_RECORDED'],
      ['seek after now', () => openPlayback(t, t.users.psViewer, cameraId, { from: Date.now() + 60_000, to: Date.now() + 120_000, reason }), 400, 'RANGE_IN_FUTURE'],
      ['0-length range', () => openPlayback(t, t.users.psViewer, cameraId, { from: recorded.from, to: recorded.from, reason }), 400, 'RANGE_EMPTY'],
      ['30-day range', () => openPlayback(t, t.users.psViewer, cameraId, { from: Date.now() - 30 * DAY, to: Date.now(), reason }), 400, 'RANGE_TOO_LONG'],
      ['30-day export', () => t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { cameraId, from: Date.now() - 30 * DAY, to: Date.now(), reason } }), 400, 'RANGE_TOO_LONG'],
      ['export of a camera not granted', () => t.api('/api/v1/evidence/exports', { user: t.users.trafficViewer, body: { cameraId, ...recorded, reason } }), 403, 'CAMERA_ACCESS_DENIED'],
      ['playback of a camera not granted', () => openPlayback(t, t.users.trafficViewer, cameraId, { ...recorded, reason }), 403, 'CAMERA_ACCESS_DENIED'],
    ];
    for (const [what, send, status, code] of cases) {
      const before = await t.hub.ctx.db.selectFrom('evidence_exports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const answer = await send();
      const after = await t.hub.ctx.db.selectFrom('evidence_exports').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const refused = answer.status === status && answer.body?.code === code && Number(after.n) === Number(before.n);
      recordFault({ fault: `playback/export: ${what}`, expected: 1, found: refused ? 1 : 0, duplicates: 0, recoverySeconds: null, note: `${answer.status} ${answer.body?.code}` });
      expect([what, answer.status, answer.body?.code]).toEqual([what, status, code]);
      expect(Number(after.n)).toBe(Number(before.n));
    }
  });

  it('a segment deleted behind the hub\'s back: 404 for it, marked missing, the rest still plays and exports', async () => {
    const { t, cameraId, index } = h;
    const segments = await index.segmentsBetween(cameraId, recorded.from, recorded.to);
    const victim = segments[1]!;
    await rm(join(t.hub.ctx.dataDir, 'recordings', victim.path));
    const opened = await openPlayback(t, t.users.psViewer, cameraId, { ...recorded, reason: 'fault table check' });
    const base = opened.body.playlistUrl.replace(/index\.m3u8\?.*$/, '');
    const query = opened.body.playlistUrl.split('?')[1];
    let served = 0;
    for (const segment of segments) {
      const answer = await fetchWithCookie(t, `${base}${segment.id}.ts?${query}`, opened.cookie);
      if (answer.status === 200) served++;
      else expect(JSON.parse(answer.text).code).toBe('PLAYBACK_SEGMENT_MISSING');
    }
    expect((await index.segment(victim.id))?.state).toBe('missing');
    const exported = await t.api('/api/v1/evidence/exports', { user: t.users.psViewer, body: { cameraId, ...recorded, reason: 'fault table check' } });
    const job = await waitForExport(t, t.users.psViewer, exported.body.id);
    recordFault({ fault: 'playback: segment file deleted behind the hub', expected: segments.length - 1, found: served, duplicates: 0, recoverySeconds: null, note: `index marks it missing; export ${job.state}` });
    expect(served).toBe(segments.length - 1);
    expect(job.state).toBe('done');
    const manifest = (await t.api(`/api/v1/evidence/exports/${job.id}/manifest`, { user: t.users.psViewer })).body;
    expect(manifest.gaps.length).toBeGreaterThanOrEqual(1);
  });
});
