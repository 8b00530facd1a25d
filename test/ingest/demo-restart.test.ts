import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../api/hub/load-config.ts';
import { Hub } from '../../api/hub/hub.ts';
import type { FeatureName } from '../../api/hub/hub-services.ts';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../helpers/databases.ts';
import { pass } from '../checkpoint/checkpoint-fixtures.ts';
import { FAST_INGEST } from './ingest-hub.ts';

const FEATURES: FeatureName[] = ['auth', 'directory', 'access', 'cameras', 'ingest', 'checkpoint'];
const ADMIN_PASSWORD = 'demo admin password';

async function call(hub: Hub, path: string, token: string, init: { method?: string; body?: unknown } = {}) {
  const response = await fetch(`${hub.url}${path}`, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: type.includes('json') ? await response.json() : Buffer.from(await response.arrayBuffer()) };
}

async function login(hub: Hub, username: string, password: string): Promise<string> {
  const response = await fetch(`${hub.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function demoCameras(hub: Hub) {
  return hub.ctx.db.selectFrom('cameras').select(['id', 'name', 'national_id', 'department_id', 'stream_url']).where('source', '=', 'demo').orderBy('name').execute();
}

/**
 * Issue 17: after the demo restarts, its cameras come back with the same ids (the simulated devices are the
 * same devices again: same maker and serial), so a department still sees its earlier checkpoint passes and their crops.
 */
describeEachDatabase('demo restart keeps camera identity', (kind) => {
  let database: ScratchDatabase;
  let hub: Hub | undefined;
  let config: ReturnType<typeof loadConfig>;
  const start = async () => {
    hub = await Hub.start({ config, features: FEATURES, logger: pino({ level: 'silent' }) });
    await hub.services.demo!.settled();
    return hub;
  };
  beforeAll(async () => {
    database = await createScratchDatabase(kind);
    config = loadConfig({
      env: {},
      overrides: {
        dataDir: database.dataDir, http: { host: '127.0.0.1', port: 0 }, database: { url: database.url },
        auth: { tokenSecret: randomBytes(32).toString('base64url') }, credentials: { encryptionKey: randomBytes(32).toString('base64url') }, audit: { chainKey: randomBytes(32).toString('base64url') },
        admin: { username: 'admin', password: ADMIN_PASSWORD }, log: { level: 'silent' }, demo: { sampleCameras: 3 }, ingest: FAST_INGEST,
      },
    });
  });
  afterAll(async () => {
    await hub?.stop();
    await database?.drop();
  });

  it('adopts the same simulated devices as the same cameras, with their passes and crops still visible', async () => {
    let running = await start();
    const before = await demoCameras(running);
    expect(before).toHaveLength(3);
    expect(before.every((c) => /^31010100001320\d{6}$/.test(c.national_id ?? ''))).toBe(true);
    const checkpointCamera = before.find((c) => c.name.startsWith('Demo checkpoint camera'))!;
    mkdirSync(join(database.dataDir, 'images', 'crops'), { recursive: true });
    const crop = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 7, 7, 7]);
    writeFileSync(join(database.dataDir, 'images', 'crops', 'restart.jpg'), crop);
    const admin = await login(running, 'admin', ADMIN_PASSWORD);
    const record = pass(checkpointCamera.id, '沪A12345', Date.now() - 60_000, { cropImagePath: 'crops/restart.jpg' });
    expect((await call(running, '/api/v1/checkpoint/passes', admin, { body: { records: [record] } })).body).toEqual({ inserted: 1, duplicates: 0 });
    await running.stop();
    hub = undefined;

    running = await start();
    const after = await demoCameras(running);
    expect(after.map((c) => [c.id, c.name, c.national_id, c.department_id])).toEqual(before.map((c) => [c.id, c.name, c.national_id, c.department_id]));
    // The simulators are new processes on new ports: the same cameras point at them now.
    expect(after.map((c) => c.stream_url)).not.toEqual(before.map((c) => c.stream_url));

    const logins = JSON.parse(readFileSync(join(database.dataDir, 'demo-logins.json'), 'utf8')) as Record<string, string>;
    const traffic = await login(running, 'traffic-viewer', logins['traffic-viewer']!);
    const found = await call(running, `/api/v1/checkpoint/passes?plate=${encodeURIComponent('沪A12345')}`, traffic);
    expect(found.status).toBe(200);
    expect(JSON.stringify(found.body)).toContain(record.id);
    const image = await call(running, `/api/v1/checkpoint/passes/${record.id}/crop`, traffic);
    expect(image.status).toBe(200);
    expect(Buffer.compare(image.body as Buffer, crop)).toBe(0);
  }, 240_000);
});
