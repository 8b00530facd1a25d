import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addCamera, FAST_RELAY, fetchMedia, grantToTraffic, holderHeaders, play, startSimCameras, until } from './relay-fixtures.ts';

interface WsOutcome {
  /** Set when the handshake was refused with an HTTP answer. */
  status?: number;
  code?: string;
  socket?: WebSocket;
  data: Buffer[];
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens a WS-FLV URL (a path on the hub); resolves once the handshake succeeded or was refused. */
function openWsFlv(t: TestHub, path: string, headers: Record<string, string> = {}): Promise<WsOutcome> {
  const socket = new WebSocket(`${t.url.replace(/^http/, 'ws')}${path}`, { headers: { ...holderHeaders(path), ...headers } });
  const data: Buffer[] = [];
  socket.on('message', (message) => data.push(Buffer.from(message as Buffer)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    socket.on('open', () => resolve({ socket, data, closed }));
    socket.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let code: string | undefined;
        try { code = (JSON.parse(text) as { code?: string }).code; } catch { code = undefined; }
        resolve({ status: res.statusCode, code, data, closed });
        socket.terminate();
      });
    });
    socket.on('error', (error) => reject(error));
  });
}

interface FlvTag { type: number; body: Buffer }

/** Splits an FLV byte stream (header first) into its tags; a partial last tag is left out. */
function flvTags(bytes: Buffer): FlvTag[] {
  const tags: FlvTag[] = [];
  let at = bytes.readUInt32BE(5) + 4; // header length, then PreviousTagSize0
  while (at + 11 <= bytes.length) {
    const size = bytes.readUIntBE(at + 1, 3);
    if (at + 11 + size + 4 > bytes.length) break;
    tags.push({ type: bytes[at]!, body: bytes.subarray(at + 11, at + 11 + size) });
    at += 11 + size + 4;
  }
  return tags;
}

const stopPlay = (t: TestHub, user: TestHub['users'][keyof TestHub['users']], sessionId: string) => t.api(`/api/v1/play/${sessionId}/stop`, { method: 'POST', user });

describeEachDatabase('relay: WS-FLV', (kind) => {
  let t: TestHub;
  let rtsp: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['/ws1']);
    t = await startTestHub(kind, { overrides: FAST_RELAY });
    camera = await addCamera(t, rtsp.urlFor('/ws1'), 'WS gate');
  });
  afterAll(async () => {
    await t?.stop();
    await rtsp?.stop();
  });

  it('streams FLV over a WebSocket: header, sequence header, then a key frame first', async () => {
    const started = await play(t, t.users.psViewer, camera, 'ws-flv');
    expect(started.status).toBe(201);
    expect(started.body.wsFlvUrl).toMatch(new RegExp(`^/media/wsflv/${camera}\\.flv\\?token=`));
    const ws = await openWsFlv(t, started.body.wsFlvUrl);
    expect(ws.socket).toBeDefined();
    const frames = await until('video frames over the WebSocket', () => {
      if (ws.data.length === 0) return undefined;
      const video = flvTags(Buffer.concat(ws.data)).filter((tag) => tag.type === 9);
      return video.filter((tag) => tag.body[1] === 1).length >= 10 ? video : undefined;
    }, 20_000);
    expect(Buffer.concat(ws.data).subarray(0, 3).toString('latin1')).toBe('FLV');
    // AVC: first byte = frame type (1 key, 2 inter) << 4 | codec 7; second byte 0 = sequence header, 1 = NAL units.
    expect([frames[0]!.body[0], frames[0]!.body[1]]).toEqual([0x17, 0x00]);
    const pictures = frames.filter((tag) => tag.body[1] === 1);
    expect(pictures[0]!.body[0]).toBe(0x17);
    expect(pictures.some((tag) => tag.body[0] === 0x27)).toBe(true);
    ws.socket!.close();
    await ws.closed;
    expect((await stopPlay(t, t.users.psViewer, started.body.sessionId)).status).toBe(200);
    const audited = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'details']).where('target_id', '=', camera).where('action', 'in', ['play.start', 'play.stop']).execute();
    const mine = audited.filter((e) => JSON.parse(e.details ?? '{}').sessionId === started.body.sessionId);
    expect(mine.map((e) => e.action).sort()).toEqual(['play.start', 'play.stop']);
    expect(mine.every((e) => JSON.parse(e.details!).protocol === 'ws-flv')).toBe(true);
  });

  it('refuses anonymous, forged, foreign-audience and expired tokens, other origins and plain GETs', async () => {
    const started = await play(t, t.users.psViewer, camera, 'ws-flv');
    const path = started.body.wsFlvUrl as string;
    const base = `/media/wsflv/${camera}.flv`;
    const anonymous = await openWsFlv(t, base);
    expect([anonymous.status, anonymous.code]).toEqual([401, 'PLAY_TOKEN_REQUIRED']);
    const forged = await new SignJWT({ cam: camera, sid: started.body.sessionId, dept: t.departments.ps, role: 'admin' }).setProtectedHeader({ alg: 'HS256' })
      .setSubject(t.users.psViewer.id).setIssuer('camera-sharing-hub').setAudience('play').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode('k'.repeat(40)));
    expect((await openWsFlv(t, `${base}?token=${forged}`)).code).toBe('PLAY_TOKEN_INVALID');
    expect((await openWsFlv(t, `${base}?token=${t.users.psViewer.token}`)).status).toBe(401);
    const user = { id: t.users.psViewer.id, username: 'psViewer', departmentId: t.departments.ps, role: 'viewer' as const, dutyOfficer: false };
    const short = await t.hub.ctx.tokens.issue(user, 'play', 1, { cam: camera, sid: started.body.sessionId, grant: null });
    await new Promise((r) => setTimeout(r, 2_100));
    const expired = await openWsFlv(t, `${base}?token=${short.token}`);
    expect([expired.status, expired.code]).toEqual([401, 'PLAY_TOKEN_EXPIRED']);
    // A page of another site may not open the socket, even with a valid token.
    const foreign = await openWsFlv(t, path, { origin: 'https://evil.example' });
    expect([foreign.status, foreign.code]).toEqual([403, 'CROSS_ORIGIN_REFUSED']);
    const sameSite = await openWsFlv(t, path, { origin: t.url });
    expect(sameSite.socket).toBeDefined();
    sameSite.socket!.close();
    // Without the handshake the URL is not an HTTP-FLV alias.
    const plain = await fetchMedia(t, path);
    expect(plain.status).toBe(426);
    expect((await fetchMedia(t, base)).status).toBe(401);
    await stopPlay(t, t.users.psViewer, started.body.sessionId);
  });

  it('revoking the grant closes the WebSocket and refuses a reconnect', async () => {
    const grant = await grantToTraffic(t, [camera]);
    const started = await play(t, t.users.trafficViewer, camera, 'ws-flv');
    expect(started.status).toBe(201);
    const ws = await openWsFlv(t, started.body.wsFlvUrl);
    await until('first FLV bytes', () => ws.data.length > 3, 20_000);
    await t.hub.ctx.db.updateTable('grants').set({ revoked_at: Date.now(), revoked_by: t.users.psApprover.id, revoke_reason: 'test' }).where('id', '=', grant).execute();
    t.hub.ctx.events.emit('grant.revoked', { grantId: grant, granteeDepartmentId: t.departments.traffic, ownerDepartmentId: t.departments.ps, at: Date.now() });
    const closed = await Promise.race([ws.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
    expect(closed?.code).toBe(4403);
    const again = await openWsFlv(t, started.body.wsFlvUrl);
    expect([again.status, again.code]).toEqual([403, 'PLAY_SESSION_ENDED']);
    const stopped = await until('play.stop audited', async () => {
      const stops = await t.hub.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'play.stop').where('reason', '=', 'grant_revoked').execute();
      return stops.map((s) => JSON.parse(s.details!) as { sessionId: string; protocol: string }).find((d) => d.sessionId === started.body.sessionId);
    }, 5_000);
    expect(stopped.protocol).toBe('ws-flv');
  });
});
