import { afterAll, describe, expect, it } from 'vitest';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { ClusterHop } from '../../api/kernel/cluster/cluster-hop.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { rtspConnections, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { HubCluster, type ClusterMember } from './hub-cluster.ts';

const PASSWORD = 'a viewer password of the cluster test';

/** Reads an HTTP-FLV response until `bytes` arrived or it ends. */
async function readFlv(url: string, cookie: string, bytes: number): Promise<{ status: number; data: Buffer; reader?: ReadableStreamDefaultReader<Uint8Array> }> {
  const response = await fetch(url, { headers: { cookie }, signal: AbortSignal.timeout(30_000) });
  if (response.status !== 200 || !response.body) return { status: response.status, data: Buffer.from(await response.arrayBuffer()) };
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < bytes) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    size += value.length;
  }
  return { status: 200, data: Buffer.concat(chunks), reader };
}

/**
 * A viewer who reaches a node that does not pull the camera is served through the owner over the signed
 * internal hop, under the rules of the node holding the session: play token, binding cookie, revocation.
 * The owner's internal routes refuse anything but a signed request of a cluster node.
 */
describe.skipIf(skipPostgres)('hub cluster: viewers of another node\'s camera (2 nodes)', () => {
  let cluster: HubCluster | undefined;
  let rtsp: RtspServerHandle | undefined;
  afterAll(async () => {
    await cluster?.stop();
    await rtsp?.stop();
  });

  it('HLS and HTTP-FLV through the owner; no cookie, no signature, a forged hop or a revoked grant are refused', async () => {
    rtsp = await startSimCameras(['/gate']);
    cluster = await HubCluster.start(2, { HUB_INGEST_HEALTH_INTERVAL_MS: '3600000', HUB_RELAY_IDLE_STOP_SECONDS: '2', HUB_RELAY_VIEWER_IDLE_SECONDS: '5' });
    const [a] = cluster.members as [ClusterMember, ClusterMember];
    const admin = (path: string, body?: unknown) => a.process.api(a.token, path, body);
    const ps = (await admin('/api/v1/departments', { name: 'Public Security', kind: 'public_security', isGovernment: true })).body.id as string;
    const traffic = (await admin('/api/v1/departments', { name: 'Traffic Police', kind: 'traffic', isGovernment: true })).body.id as string;
    expect((await admin('/api/v1/users', { username: 'traffic-duty', displayName: 'duty', departmentId: traffic, role: 'viewer', password: PASSWORD, dutyOfficer: true })).status).toBe(201);
    const camera = (await admin('/api/v1/cameras', { name: 'gate', departmentId: ps, category: 'public_security', streamUrl: rtsp.urlFor('/gate') })).body.id as string;

    // Which node owns it; the viewer enters through the other one.
    const owner = await until('the camera has an owner', async () => {
      for (const m of cluster!.live) if ((await cluster!.state(m)).ownedCameras.includes(camera)) return m;
      return undefined;
    }, 20_000, 200);
    const entry = cluster.live.find((m) => m !== owner)!;
    const login = await fetch(`${entry.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'traffic-duty', password: PASSWORD }) });
    expect(login.status).toBe(200);
    const viewerToken = (await login.json()).token as string;
    const asViewer = (path: string, body?: unknown) => fetch(`${entry.url}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${viewerToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
    });
    const grant = await (await asViewer('/api/v1/access/emergency', { ownerDepartmentId: ps, targetKind: 'cameras', cameraIds: [camera], scopes: ['live'], minutes: 30, reason: 'cluster test' })).json();
    expect(grant.id).toBeTruthy();
    const played = await asViewer(`/api/v1/cameras/${camera}/play`, { protocol: 'flv' });
    expect(played.status).toBe(201);
    const ticket = await played.json() as { hlsUrl: string; flvUrl: string; sessionId: string };
    const cookie = played.headers.getSetCookie().map((c) => c.split(';')[0]!).join('; ');

    // HLS through the entry node: the playlist is signed with the viewer's token, segments come through too.
    const playlist = await until('a playlist through the entry node', async () => {
      const res = await fetch(`${entry.url}${ticket.hlsUrl}`, { headers: { cookie } });
      const text = await res.text();
      return res.status === 200 && text.includes('seg_') ? text : undefined;
    }, 30_000, 500);
    const segment = playlist.split('\n').find((l) => l.startsWith('seg_'))!;
    expect(segment).toContain('?token=');
    const seg = await fetch(`${entry.url}/media/hls/${camera}/${segment}`, { headers: { cookie } });
    expect(seg.status).toBe(200);
    expect(Buffer.from(await seg.arrayBuffer())[0]).toBe(0x47);
    // Pulled once, by the owner only.
    const pulls = await cluster.pulls();
    expect(pulls.get(owner.id)).toEqual([camera]);
    expect(pulls.get(entry.id)).toEqual([]);
    expect(rtspConnections(rtsp.port)).toBe(1);

    // Binding: the same URL without the browser's cookie is refused at the entry node, never forwarded.
    const noCookie = await fetch(`${entry.url}${ticket.hlsUrl}`);
    expect(noCookie.status).toBe(403);
    expect((await noCookie.json()).code).toBe('PLAY_BINDING_REQUIRED');

    // The owner's internal routes: no signature, a forged one, a user's token: all 401.
    const internal = `${owner.url}/internal/cluster/media/hls/${camera}/index.m3u8`;
    expect((await fetch(internal)).status).toBe(401);
    const forged = new ClusterHop('not the cluster secret but long enough!!', entry.id).sign('GET', `/internal/cluster/media/hls/${camera}/index.m3u8`);
    const refused = await fetch(internal, { headers: forged });
    expect(refused.status).toBe(401);
    expect((await refused.json()).code).toBe('CLUSTER_HOP_INVALID');
    expect((await fetch(internal, { headers: { authorization: `Bearer ${viewerToken}` } })).status).toBe(401);

    // HTTP-FLV through the entry node; revoking the grant cuts it and refuses later fetches.
    const flv = await readFlv(`${entry.url}${ticket.flvUrl}`, cookie, 4_096);
    expect(flv.status).toBe(200);
    expect(flv.data.subarray(0, 3).toString()).toBe('FLV');
    const revoked = await fetch(`${entry.url}/api/v1/access/grants/${grant.id}/revoke`, {
      method: 'POST', headers: { authorization: `Bearer ${entry.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'cluster test' }),
    });
    expect(revoked.status).toBe(200);
    const cut = await until('the proxied FLV is cut', async () => {
      try {
        for (;;) { const { done } = await flv.reader!.read(); if (done) return true; }
      } catch {
        return true;
      }
    }, 10_000);
    expect(cut).toBe(true);
    const after = await fetch(`${entry.url}${ticket.hlsUrl}`, { headers: { cookie } });
    expect(after.status).toBe(403);
    expect((await after.json()).code).toBe('PLAY_SESSION_ENDED');
    // With no viewer left, the owner's pull stops on its own.
    await until('the owner stops pulling', () => rtspConnections(rtsp!.port) === 0, 30_000, 250);
  }, 240_000);
});
