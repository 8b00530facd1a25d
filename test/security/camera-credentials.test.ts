import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import type { TestHub } from '../helpers/test-hub.ts';
import { monitorOf, registryOf, startIngestHub } from '../ingest/ingest-hub.ts';

const PASSWORD = 'Only-The-Camera-Kn0ws';

/** An RTSP "server" on loopback that asks for Basic credentials and records every request it gets. */
async function startRecordingRtsp() {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      let end;
      while ((end = buffer.indexOf('\r\n\r\n')) >= 0) {
        const head = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        requests.push(head);
        const cseq = /^CSeq:\s*(\d+)/mi.exec(head)?.[1] ?? '1';
        socket.write(`RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Basic realm="attacker"\r\nContent-Length: 0\r\n\r\n`);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

describeEachDatabase('stored camera credentials stay with their endpoint', (kind) => {
  let t: TestHub;
  let camera: Awaited<ReturnType<typeof startRecordingRtsp>>;
  let attacker: Awaited<ReturnType<typeof startRecordingRtsp>>;

  beforeAll(async () => {
    [camera, attacker] = await Promise.all([startRecordingRtsp(), startRecordingRtsp()]);
    t = await startIngestHub(kind);
  });
  afterAll(async () => {
    await t?.stop();
    await camera?.close();
    await attacker?.close();
  });

  it('security #2: an approver who moves streamUrl to another host:port does not get the stored password sent there', async () => {
    // The admin registers the camera with its password; the traffic approver never learns it.
    const created = await t.api('/api/v1/cameras', {
      user: t.users.admin,
      body: { name: 'Gate', departmentId: t.departments.traffic, category: 'traffic', streamUrl: `rtsp://127.0.0.1:${camera.port}/main`, username: 'admin', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    expect(created.body.hasCredentials).toBe(true);
    const id = created.body.id as string;

    // Same endpoint, other path: the credentials stay (the camera's own URL may change its path).
    const samePlace = await t.api(`/api/v1/cameras/${id}`, { method: 'PATCH', user: t.users.trafficApprover, body: { streamUrl: `rtsp://127.0.0.1:${camera.port}/other` } });
    expect(samePlace.body.hasCredentials).toBe(true);

    const moved = await t.api(`/api/v1/cameras/${id}`, { method: 'PATCH', user: t.users.trafficApprover, body: { streamUrl: `rtsp://127.0.0.1:${attacker.port}/steal` } });
    expect(moved.status).toBe(200);
    await monitorOf(t).checkNow(id);
    const pull = await registryOf(t).pullUrl(id);

    expect(attacker.requests.length).toBeGreaterThan(0);
    const basic = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
    expect(attacker.requests.filter((r) => /^Authorization:/mi.test(r))).toEqual([]);
    expect(attacker.requests.join('\n')).not.toContain(basic);
    expect(pull).not.toContain(encodeURIComponent(PASSWORD));
    expect(moved.body.hasCredentials).toBe(false);

    // New credentials given with the move are kept: they were entered for the new endpoint.
    const withNew = await t.api(`/api/v1/cameras/${id}`, { method: 'PATCH', user: t.users.trafficApprover, body: { streamUrl: `rtsp://127.0.0.1:${camera.port}/main`, username: 'viewer', password: 'new-secret' } });
    expect(withNew.body.hasCredentials).toBe(true);
    // A snapshot endpoint on another host is another endpoint too.
    const snapshotMoved = await t.api(`/api/v1/cameras/${id}`, { method: 'PATCH', user: t.users.trafficApprover, body: { snapshotUrl: `http://127.0.0.1:${attacker.port}/snap.jpg` } });
    expect(snapshotMoved.body.hasCredentials).toBe(false);
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select('details').where('action', '=', 'config.camera.update').where('target_id', '=', id).execute();
    expect(audit.map((a) => JSON.parse(String(a.details)).credentialsDropped)).toEqual([false, true, false, true]);
  });
});
