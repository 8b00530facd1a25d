import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, grantToTraffic, startSimCameras } from '../relay/relay-fixtures.ts';

/** The Set-Cookie of a play or renew answer as a Cookie header ('' when there is none). */
function cookieOf(headers: Headers): string {
  return headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');
}

/** GET a media path as some client would: with or without the play cookie its browser holds. */
async function get(t: TestHub, path: string, cookie = ''): Promise<{ status: number; code?: string }> {
  const controller = new AbortController();
  const response = await fetch(`${t.url}${path}`, { headers: cookie ? { cookie } : {}, signal: controller.signal });
  let code: string | undefined;
  if (response.status !== 200) code = ((await response.json().catch(() => ({}))) as { code?: string }).code;
  controller.abort(); // FLV responses never end on their own
  return { status: response.status, code };
}

/** Opens a WS-FLV path: 'open', or the status and code of the refused handshake. */
function openWs(t: TestHub, path: string, cookie = ''): Promise<{ status: number; code?: string }> {
  const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}${path}`, { headers: { origin: t.url, ...(cookie ? { cookie } : {}) } });
  return new Promise((resolve, reject) => {
    socket.on('open', () => { socket.terminate(); resolve({ status: 101 }); });
    socket.on('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => {
        let code: string | undefined;
        try { code = (JSON.parse(text) as { code?: string }).code; } catch { code = undefined; }
        resolve({ status: res.statusCode ?? 0, code });
        socket.terminate();
      });
    });
    socket.on('error', reject);
  });
}

describeEachDatabase('security #13: play URLs are bound to the session holder and superseded on renew', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/door']);
    t = await startTestHub(kind, { overrides: { relay: { ...FAST_RELAY.relay, viewerIdleSeconds: 60 } } });
    camera = await addCamera(t, rtsp.urlFor('/door'));
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  it('security #13: another user replaying a fresh play URL (HLS, HTTP-FLV, WS-FLV) is refused; the holder plays', async () => {
    await grantToTraffic(t, [camera]);
    const started = await t.api(`/api/v1/cameras/${camera}/play`, { user: t.users.trafficViewer, body: { protocol: 'hls' } });
    expect(started.status).toBe(201);
    const holder = cookieOf(started.headers);
    // Someone else (another user's browser, or any client that only saw the URL) replays it first.
    for (const url of [started.body.hlsUrl, started.body.flvUrl] as string[]) {
      expect(await get(t, url), url).toEqual({ status: 403, code: 'PLAY_BINDING_REQUIRED' });
      expect(await get(t, url, 'hub_play_x=forged'), url).toEqual({ status: 403, code: 'PLAY_BINDING_REQUIRED' });
    }
    expect(await openWs(t, started.body.wsFlvUrl)).toEqual({ status: 403, code: 'PLAY_BINDING_REQUIRED' });
    // Another session's cookie does not open this one.
    const other = await t.api(`/api/v1/cameras/${camera}/play`, { user: t.users.psViewer, body: { protocol: 'hls' } });
    expect(await get(t, started.body.hlsUrl, cookieOf(other.headers))).toEqual({ status: 403, code: 'PLAY_BINDING_REQUIRED' });
    // The browser that started the session carries its cookie and plays on all three.
    expect(holder).toMatch(/^hub_play_/);
    expect(await get(t, started.body.hlsUrl, holder)).toEqual({ status: 200 });
    expect(await get(t, started.body.flvUrl, holder)).toEqual({ status: 200 });
    expect(await openWs(t, started.body.wsFlvUrl, holder)).toEqual({ status: 101 });
    for (const set of started.headers.getSetCookie()) expect(set).toMatch(/HttpOnly/i), expect(set).toMatch(/SameSite=Strict/i), expect(set).toMatch(/Path=\/media\//);
    await t.api(`/api/v1/play/${started.body.sessionId}/stop`, { method: 'POST', user: t.users.trafficViewer });
    await t.api(`/api/v1/play/${other.body.sessionId}/stop`, { method: 'POST', user: t.users.psViewer });
  });

  it('security #13: after renew the old token is refused (after the short grace); the new one plays', async () => {
    const started = await t.api(`/api/v1/cameras/${camera}/play`, { user: t.users.psViewer, body: { protocol: 'hls' } });
    const cookie = cookieOf(started.headers);
    expect((await get(t, started.body.hlsUrl, cookie)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100)); // a later second: even a token without a generation would differ
    const renewed = await t.api(`/api/v1/play/${started.body.sessionId}/renew`, { method: 'POST', user: t.users.psViewer });
    expect(renewed.status).toBe(200);
    expect(renewed.body.hlsUrl).not.toBe(started.body.hlsUrl);
    const grace = (t.hub.ctx.config.relay as { playTokenGraceSeconds?: number }).playTokenGraceSeconds ?? 0;
    // Within the grace a fetch sent before the player saw the renew answer still goes through.
    if (grace > 0) expect(await get(t, started.body.hlsUrl, cookie)).toEqual({ status: 200 });
    await new Promise((r) => setTimeout(r, grace * 1_000 + 300));
    for (const url of [started.body.hlsUrl, started.body.flvUrl] as string[]) {
      expect(await get(t, url, cookie), url).toEqual({ status: 403, code: 'PLAY_TOKEN_SUPERSEDED' });
    }
    expect(await openWs(t, started.body.wsFlvUrl, cookie)).toEqual({ status: 403, code: 'PLAY_TOKEN_SUPERSEDED' });
    expect(await get(t, renewed.body.hlsUrl, cookie)).toEqual({ status: 200 });
    await t.api(`/api/v1/play/${started.body.sessionId}/stop`, { method: 'POST', user: t.users.psViewer });
  });
});
