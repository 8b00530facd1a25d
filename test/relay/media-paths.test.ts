import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, fetchMedia, holderHeaders, play, relayOf, segmentUris, startSimCameras } from './relay-fixtures.ts';

/** Raw request path (no URL normalisation by fetch): status and body code. */
async function raw(t: TestHub, path: string): Promise<{ status: number; code?: string }> {
  const { request } = await import('node:http');
  const url = new URL(t.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers: holderHeaders(path) }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        let code: string | undefined;
        try { code = JSON.parse(body).code; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, code });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describeEachDatabase('relay media routes: tokens and path traversal', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;
  let token: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/door']);
    t = await startTestHub(kind, { overrides: { relay: { ...FAST_RELAY.relay, viewerIdleSeconds: 60 } } });
    camera = await addCamera(t, rtsp.urlFor('/door'));
    const started = await play(t, t.users.psViewer, camera, 'hls');
    token = new URL(started.body.hlsUrl, t.url).searchParams.get('token')!;
    expect((await fetchMedia(t, started.body.hlsUrl)).status).toBe(200);
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  const q = () => `?token=${encodeURIComponent(token)}`;

  it('regression: encoded ".." (%2e%2e) in the file or stream id is refused', async () => {
    for (const path of [
      `/media/hls/${camera}/%2e%2e${q()}`, `/media/hls/${camera}/%2e%2e%2f%2e%2e%2fhub.sqlite${q()}`,
      `/media/hls/%2e%2e/index.m3u8${q()}`, `/media/hls/${camera}/..%2f..%2fhub.sqlite${q()}`,
    ]) {
      const result = await raw(t, path);
      expect([400, 404], `${path} -> ${result.status} ${result.code}`).toContain(result.status);
    }
    expect((await raw(t, `/media/hls/${camera}/%2e%2e${q()}`)).code).toBe('MEDIA_PATH_INVALID');
    // A literal ../ never matches the media route at all; the hub's deny-by-default answers for unknown paths.
    const literal = await raw(t, `/media/hls/${camera}/../../hub.sqlite${q()}`);
    expect([403, 404]).toContain(literal.status);
    expect(literal.code).not.toBeUndefined();
  });

  it('regression: backslashes are refused', async () => {
    for (const path of [`/media/hls/${camera}/..%5c..%5chub.sqlite${q()}`, `/media/hls/${camera}/seg_1.ts%5c${q()}`, `/media/hls/%5c${camera}/index.m3u8${q()}`]) {
      const result = await raw(t, path);
      expect(result.status, path).toBe(400);
      expect(result.code).toBe('MEDIA_PATH_INVALID');
    }
  });

  it('regression: NUL bytes (%00) are refused', async () => {
    for (const path of [`/media/hls/${camera}/index.m3u8%00.ts${q()}`, `/media/hls/${camera}%00/index.m3u8${q()}`, `/media/flv/${camera}%00.flv${q()}`]) {
      const result = await raw(t, path);
      expect(result.status, path).toBe(400);
    }
  });

  it('regression: a symlink planted in the stream folder is not followed', async () => {
    const secret = join(t.database.dataDir, 'outside.txt');
    writeFileSync(secret, 'not media');
    const folder = relayOf(t).hlsDir(camera);
    symlinkSync(secret, join(folder, 'seg_42.ts'));
    const result = await raw(t, `/media/hls/${camera}/seg_42.ts${q()}`);
    expect(result.status).toBe(404);
    expect(result.code).toBe('MEDIA_NOT_FOUND');
  });

  it('refuses other file names, stream ids, missing and foreign tokens', async () => {
    expect((await raw(t, `/media/hls/${camera}/hub.sqlite${q()}`)).code).toBe('MEDIA_PATH_INVALID');
    expect((await raw(t, `/media/hls/${camera}/seg_1.ts.tmp${q()}`)).status).toBe(400);
    expect((await raw(t, `/media/hls/${'a'.repeat(65)}/index.m3u8${q()}`)).status).toBe(400);
    expect((await raw(t, `/media/hls/${camera}/index.m3u8`)).status).toBe(401);
    expect((await raw(t, `/media/hls/${camera}/index.m3u8?token=garbage`)).status).toBe(401);
    // A valid token of this session used for another camera.
    const other = await addCamera(t, rtsp.urlFor('/door'));
    const foreign = await raw(t, `/media/hls/${other}/index.m3u8${q()}`);
    expect(foreign.status).toBe(403);
    expect(foreign.code).toBe('PLAY_TOKEN_MISMATCH');
    // An API access token is not a play token (audience), nor is a token signed with another key.
    expect((await raw(t, `/media/hls/${camera}/index.m3u8?token=${t.users.psViewer.token}`)).status).toBe(401);
    const forged = await new SignJWT({ cam: camera, sid: 'x', dept: t.departments.ps, role: 'admin' }).setProtectedHeader({ alg: 'HS256' })
      .setSubject(t.users.admin.id).setIssuer('camera-sharing-hub').setAudience('play').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode('k'.repeat(40)));
    expect((await raw(t, `/media/hls/${camera}/index.m3u8?token=${forged}`)).status).toBe(401);
    expect((await raw(t, `/media/flv/${camera}.flv`)).status).toBe(401);
  });

  it('refuses an expired play token with its own code', async () => {
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string };
    const user = { id: t.users.psViewer.id, username: 'psViewer', departmentId: t.departments.ps, role: 'viewer' as const, dutyOfficer: false };
    const short = await t.hub.ctx.tokens.issue(user, 'play', 1, { cam: camera, sid: claims.sid, grant: null });
    await new Promise((r) => setTimeout(r, 2_100));
    const result = await raw(t, `/media/hls/${camera}/index.m3u8?token=${short.token}`);
    expect(result.status).toBe(401);
    expect(result.code).toBe('PLAY_TOKEN_EXPIRED');
  });

  it('still serves the real playlist and segments with the same token', async () => {
    const playlist = await fetchMedia(t, `/media/hls/${camera}/index.m3u8${q()}`);
    expect(playlist.status).toBe(200);
    const first = segmentUris(playlist.body.toString())[0]!;
    expect((await fetchMedia(t, `/media/hls/${camera}/${first}`)).status).toBe(200);
  });
});
