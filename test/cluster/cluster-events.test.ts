import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubEventName } from '../../api/kernel/events/hub-events.ts';
import { RecordingIndex } from '../../recording/recording-index.ts';
import type { RtspServerHandle } from '../../devtools/sim/rtsp-server.ts';
import { skipPostgres } from '../helpers/pg-url.ts';
import { pass } from '../checkpoint/checkpoint-fixtures.ts';
import { openPlayback, fetchWithCookie } from '../playback/playback-fixtures.ts';
import { addCamera, FAST_RELAY, fetchMedia, grantToTraffic, play, readFlv, startSimCameras, until } from '../relay/relay-fixtures.ts';
import { startClusterNodes, type ClusterNodes } from './cluster-nodes.ts';
import { openSse } from './sse-reader.ts';

const FEATURES = ['auth', 'directory', 'access', 'audit', 'cameras', 'relay', 'checkpoint', 'playback'] as const;

/** How often each node's listeners ran for an event (local and re-emitted alike). */
function countEvents(cluster: ClusterNodes, name: HubEventName) {
  const counts = cluster.nodes.map(() => 0);
  cluster.nodes.forEach((node, i) => (node.hub.ctx.events.on as (n: string, fn: () => void) => void)(name, () => { counts[i]!++; }));
  return counts;
}

/**
 * Events cross hub nodes (issue 19): two nodes on one PostgreSQL and one Redis. What one node does (revoke a
 * grant, raise a watchlist alert, notify a user) reaches the sessions and streams held by the other.
 */
describe.skipIf(skipPostgres)('cluster: events cross nodes', () => {
  let cluster: ClusterNodes;
  let rtsp: RtspServerHandle;
  let camera: string;

  beforeAll(async () => {
    rtsp = await startSimCameras(['c1']);
    cluster = await startClusterNodes(2, { features: FEATURES, overrides: FAST_RELAY });
    camera = await addCamera(cluster.nodes[0]!, rtsp.urlFor('c1'));
    // Placement gives the new camera to a node within a heartbeat or so; before that a viewer gets 503 and retries.
    await until('camera placed on a node', () => cluster.nodes.some((node) => node.hub.ctx.cluster?.ownership.owns(camera)), 20_000);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    await rtsp?.stop();
  });

  it('revocation on node A cuts live FLV and HLS and playback sessions on node B within 1 s, and B\'s streams hear of it', async () => {
    const [a, b] = cluster.nodes as [ClusterNodes['nodes'][0], ClusterNodes['nodes'][0]];
    const grant = await grantToTraffic(a, [camera], ['live', 'playback']);
    // A recorded span in the shared index, so the viewer may open a playback session on B.
    const recordedAt = Date.now() - 60_000;
    await new RecordingIndex(a.hub.ctx.db).addSegment({
      id: randomUUID(), cameraId: camera, startedAt: recordedAt, endedAt: recordedAt + 2_000, durationMs: 2_000, bytes: 1, path: `${camera}/x.ts`,
      format: 'mpegts', keyframes: [0], state: 'complete', createdAt: recordedAt,
    });
    const viewer = b.users.trafficViewer;
    const flv = await play(b, viewer, camera, 'flv');
    const hls = await play(b, viewer, camera, 'hls');
    expect([flv.status, hls.status]).toEqual([201, 201]);
    const open = await readFlv(b, flv.body.flvUrl, 8 * 1024);
    expect(open.status).toBe(200);
    expect((await fetchMedia(b, hls.body.hlsUrl)).status).toBe(200);
    const playback = await openPlayback(b, viewer, camera, { from: recordedAt, to: recordedAt + 2_000, reason: 'case 19: cluster' });
    expect(playback.status).toBe(201);
    expect((await fetchWithCookie(b, playback.body.playlistUrl, playback.cookie)).status).toBe(200);
    const grantee = await openSse(b, viewer, '/api/v1/access/notifications/stream');
    const creator = await openSse(b, b.users.psApprover, '/api/v1/access/notifications/stream');
    await until('streams subscribed on B', () => b.hub.services.access!.notifications.openStreams >= 2);
    const revokedOnB = countEvents(cluster, 'grant.revoked');

    const revoked = await a.api(`/api/v1/access/grants/${grant}/revoke`, { user: a.users.psApprover, body: { reason: 'case closed' } });
    expect(revoked.status).toBe(200);
    const answeredAt = Date.now();
    const reader = open.response.body!.getReader();
    await until('FLV on B cut', async () => {
      try { return (await reader.read()).done ? true : undefined; } catch { return true; }
    }, 1_000, 0);
    const ended = await fetchMedia(b, hls.body.hlsUrl);
    expect([ended.status, JSON.parse(ended.body.toString()).code]).toEqual([403, 'PLAY_SESSION_ENDED']);
    const vod = await fetchWithCookie(b, playback.body.playlistUrl, playback.cookie);
    expect([vod.status, JSON.parse(vod.text).code]).toEqual([403, 'PLAYBACK_SESSION_ENDED']);
    // Within the second the issue allows; the database re-check alone would take up to 3 s.
    expect(Date.now() - answeredAt).toBeLessThan(1_000);

    await until('grant.ended and the notification on B', () =>
      grantee.events.some((e) => e.event === 'grant.ended' && e.data.grantId === grant && e.data.reason === 'revoked')
      && creator.events.some((e) => e.event === 'notification' && e.data.kind === 'grant.revoked' && e.data.grantId === grant), 5_000);
    // Each node handled the revocation once: A emitted it, B re-emitted it, nobody sent it back.
    await new Promise((r) => setTimeout(r, 300));
    expect(revokedOnB).toEqual([1, 1]);
    expect(grantee.events.filter((e) => e.event === 'grant.ended' && e.data.grantId === grant)).toHaveLength(1);
    expect(creator.events.filter((e) => e.event === 'notification' && e.data.grantId === grant)).toHaveLength(1);
    await grantee.close();
    await creator.close();
  });

  it('a watchlist alert raised on node A reaches an SSE client on node B, once', async () => {
    const [a, b] = cluster.nodes as [ClusterNodes['nodes'][0], ClusterNodes['nodes'][0]];
    const watch = await a.api('/api/v1/checkpoint/watchlist', { user: a.users.psApprover, body: { plate: '沪A19190', matchKind: 'exact', reason: 'cluster case 19', validUntil: Date.now() + 3_600_000 } });
    expect(watch.status).toBe(201);
    const onB = await openSse(b, b.users.psViewer, '/api/v1/checkpoint/alerts/stream');
    await until('alert stream subscribed on B', () => b.hub.ctx.events.listenerCount('checkpoint.alert') >= 2);
    const alerts = countEvents(cluster, 'checkpoint.alert');
    const posted = await a.api('/api/v1/checkpoint/passes', { user: a.users.admin, body: { records: [pass(camera, '沪A19190', Date.now())] } });
    expect(posted.status).toBeLessThan(300);
    await until('alert on B', () => onB.events.some((e) => e.event === 'alert' && e.data.plate === '沪A19190'), 5_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(onB.events.filter((e) => e.event === 'alert')).toHaveLength(1);
    expect(alerts).toEqual([1, 1]);
    await onB.close();
  });

  it('the bus comes back after Redis is killed and restarted: B re-reads grants, then hears A again', async () => {
    const [a, b] = cluster.nodes as [ClusterNodes['nodes'][0], ClusterNodes['nodes'][0]];
    const before = b.hub.membership.bus!.counts.resyncs;
    await cluster.redis.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 500));
    await cluster.redis.start();
    await until('B resubscribed', () => b.hub.membership.bus!.counts.resyncs > before, 15_000);
    await until('A resubscribed', () => a.hub.membership.bus!.counts.resyncs > 0, 15_000);
    const onB = await openSse(b, b.users.psViewer, '/api/v1/checkpoint/alerts/stream');
    await until('alert stream subscribed on B', () => b.hub.ctx.events.listenerCount('checkpoint.alert') >= 2);
    await a.api('/api/v1/checkpoint/passes', { user: a.users.admin, body: { records: [pass(camera, '沪A19190', Date.now())] } });
    await until('alert on B after the restart', () => onB.events.some((e) => e.event === 'alert'), 10_000);
    await onB.close();
  });
});
