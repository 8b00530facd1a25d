import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../helpers/databases.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';
import { addGrant } from '../checkpoint/checkpoint-fixtures.ts';
import { eventually } from '../ingest/ingest-hub.ts';

const JPEG = readFileSync(join(import.meta.dirname, '../../media/scenes/street_dog_bicycle_car.jpg'));

/** Catalogue thumbnails: cached on disk for their TTL, and never shown without the snapshot scope. */
describeEachDatabase('camera thumbnails', (kind) => {
  let t: TestHub;
  let server: Server;
  let fetches = 0;
  let cameraId: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': JPEG.length }).end(JPEG);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    t = await startTestHub(kind, { features: ['auth', 'directory', 'access', 'cameras', 'ingest'], overrides: { ingest: { healthIntervalMs: 3_600_000, snapshot: { thumbnailTtlSeconds: 2 } } } });
    const created = await t.api('/api/v1/cameras', {
      user: t.users.psApprover,
      body: { name: 'Bund north', departmentId: t.departments.ps, category: 'public_security', streamUrl: 'rtsp://127.0.0.1:9/none', snapshotUrl: `http://127.0.0.1:${port}/snap.jpg` },
    });
    cameraId = created.body.id;
  });
  afterAll(async () => {
    await t?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  const thumbnail = (user: TestHub['users'][string & keyof TestHub['users']]) => fetch(`${t.url}/api/v1/cameras/${cameraId}/thumbnail`, { headers: { authorization: `Bearer ${user.token}` } });

  it('serves a small JPEG to the owner and keeps it on disk for its TTL', async () => {
    const first = await thumbnail(t.users.psViewer);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await first.arrayBuffer())).metadata();
    expect(meta.width).toBe(320);
    expect(fetches).toBe(1);
    expect((await thumbnail(t.users.psApprover)).status).toBe(200);
    expect(fetches).toBe(1);
    // Past the TTL a new still is taken (the frame cache of the snapshot service is 1 s).
    await eventually(async () => (await thumbnail(t.users.psViewer)).status === 200 && fetches === 2, 15_000, 'a fresh thumbnail after the TTL');
  });

  it('refuses the thumbnail without the snapshot scope, cached or not, and audits the refusal', async () => {
    const denied = await thumbnail(t.users.trafficViewer);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { code: string }).code).toBe('CAMERA_ACCESS_DENIED');
    // A live grant is not a snapshot grant.
    await addGrant(t, t.departments.ps, t.departments.traffic, [cameraId], ['live']);
    expect((await thumbnail(t.users.trafficViewer)).status).toBe(403);
    expect((await thumbnail(t.users.auditor)).status).toBe(403);
    const audit = await t.hub.ctx.db.selectFrom('audit_events').select(['action', 'result', 'user_id']).where('target_id', '=', cameraId).where('result', '=', 'denied').execute();
    expect(audit.filter((a) => a.user_id === t.users.trafficViewer.id).length).toBeGreaterThanOrEqual(2);
    await addGrant(t, t.departments.ps, t.departments.traffic, [cameraId], ['snapshot']);
    expect((await thumbnail(t.users.trafficViewer)).status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/cameras/${cameraId}/thumbnail`)).status).toBe(401);
    expect((await fetch(`${t.url}/api/v1/cameras/nope/thumbnail`, { headers: { authorization: `Bearer ${t.users.admin.token}` } })).status).toBe(404);
  });
});
