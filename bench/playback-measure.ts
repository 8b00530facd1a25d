import type { TestHub, TestUser } from '../test/helpers/test-hub.ts';

/**
 * The playback figures of issue 16 that `bench:record` measures, through the hub's real routes:
 * - seek to first frame: open a playback session at a time, fetch its VOD playlist and the first segment
 *   (the bytes holding the key frame the player decodes first), as a browser does; measured at the HTTP
 *   side (the player's decode of one key frame adds a few ms, not measured here);
 * - a 60 s evidence export: create the job, poll until done (stream copy, cut at a key frame).
 */
export async function seekToFirstFrameMs(t: TestHub, user: TestUser, cameraId: string, at: number): Promise<number> {
  const started = performance.now();
  const opened = await t.api(`/api/v1/playback/cameras/${cameraId}/sessions`, { user, body: { from: at, to: at + 60_000, reason: 'benchmark seek' } });
  if (opened.status !== 201) throw new Error(`playback ${cameraId}: ${opened.status} ${JSON.stringify(opened.body)}`);
  const cookie = opened.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const playlistUrl = opened.body.playlistUrl as string;
  const playlist = await (await fetch(`${t.url}${playlistUrl}`, { headers: { cookie } })).text();
  const first = playlist.split('\n').find((line) => line.includes('?token='));
  if (!first) throw new Error('empty playlist');
  const segment = await fetch(`${t.url}${playlistUrl.replace(/index\.m3u8\?.*$/, '')}${first}`, { headers: { cookie } });
  const bytes = (await segment.arrayBuffer()).byteLength;
  if (segment.status !== 200 || bytes === 0) throw new Error(`segment: ${segment.status}`);
  const elapsed = performance.now() - started;
  await t.api(`/api/v1/playback/sessions/${opened.body.sessionId}/stop`, { user, body: {} });
  return elapsed;
}

/** Baseline for the seek: live play → first HLS segment of a running pull (the relay path). */
export async function liveFirstSegmentMs(t: TestHub, user: TestUser, cameraId: string): Promise<number> {
  const started = performance.now();
  const play = await t.api(`/api/v1/cameras/${cameraId}/play`, { user, body: { protocol: 'hls' } });
  if (play.status !== 201) throw new Error(`play ${cameraId}: ${play.status} ${JSON.stringify(play.body)}`);
  const cookie = play.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
  const playlist = await (await fetch(`${t.url}${play.body.hlsUrl}`, { headers: { cookie } })).text();
  const first = playlist.split('\n').find((l) => l.startsWith('seg_'));
  if (!first) throw new Error('empty live playlist');
  const segment = await fetch(`${t.url}/media/hls/${cameraId}/${first}`, { headers: { cookie } });
  if (segment.status !== 200 || (await segment.arrayBuffer()).byteLength === 0) throw new Error(`live segment: ${segment.status}`);
  const elapsed = performance.now() - started;
  await t.api(`/api/v1/play/${play.body.sessionId}/stop`, { user, body: {} });
  return elapsed;
}

export async function exportClipMs(t: TestHub, user: TestUser, cameraId: string, from: number, to: number): Promise<{ ms: number; bytes: number; durationMs: number }> {
  const started = performance.now();
  const created = await t.api('/api/v1/evidence/exports', { user, body: { cameraId, from, to, reason: 'benchmark export' } });
  if (created.status !== 202) throw new Error(`export: ${created.status} ${JSON.stringify(created.body)}`);
  for (;;) {
    const job = (await t.api(`/api/v1/evidence/exports/${created.body.id}`, { user })).body;
    if (job.state === 'done') return { ms: performance.now() - started, bytes: job.bytes, durationMs: job.durationMs };
    if (job.state === 'failed') throw new Error(`export failed: ${job.errorCode} ${job.errorMessage}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
