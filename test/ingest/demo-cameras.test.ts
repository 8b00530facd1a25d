import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../api/hub/load-config.ts';
import { Hub } from '../../api/hub/hub.ts';
import { liveProcessGroups } from '../../api/kernel/process/supervised-process.ts';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../helpers/databases.ts';
import { FAST_INGEST, INGEST_FEATURES } from './ingest-hub.ts';

describeEachDatabase('demo cameras', (kind) => {
  let database: ScratchDatabase;
  let hub: Hub | undefined;
  beforeAll(async () => {
    database = await createScratchDatabase(kind);
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir: database.dataDir, http: { host: '127.0.0.1', port: 0 }, database: { url: database.url },
        auth: { tokenSecret: randomBytes(32).toString('base64url') }, credentials: { encryptionKey: randomBytes(32).toString('base64url') },
        admin: { username: 'admin', password: 'demo admin password' }, log: { level: 'silent' }, demo: { sampleCameras: 3 }, ingest: FAST_INGEST,
      },
    });
    hub = await Hub.start({ config, features: INGEST_FEATURES, logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await hub?.stop();
    await database?.drop();
  });

  it('starts simulated cameras in the background, adopts them over three departments and prints demo logins', async () => {
    const lines = hub!.services.demo!.startupLines();
    const login = lines.map((l) => /demo login \(Public Security Bureau, viewer\): (\S+) \/ (\S+)/.exec(l)).find(Boolean);
    expect(login?.[1]).toBe('ps-viewer');
    await hub!.services.demo!.settled();
    const cameras = await hub!.ctx.db.selectFrom('cameras').select(['department_id', 'source', 'lat', 'ptz']).execute();
    expect(cameras).toHaveLength(3);
    expect(new Set(cameras.map((c) => c.department_id)).size).toBe(3);
    expect(cameras.every((c) => c.source === 'demo' && c.lat !== null && c.ptz === 1)).toBe(true);
    // One traffic camera streams the 'plates' clip with analytics on, so the checkpoint pages get passes.
    const checkpoint = await hub!.ctx.db.selectFrom('cameras').innerJoin('departments', 'departments.id', 'cameras.department_id')
      .select(['cameras.name', 'cameras.analytics_enabled', 'departments.kind']).where('cameras.name', 'like', 'Demo checkpoint camera%').execute();
    expect(checkpoint).toEqual([{ name: 'Demo checkpoint camera 1', analytics_enabled: 1, kind: 'traffic' }]);

    const response = await fetch(`${hub!.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: login![1], password: login![2] }) });
    expect(response.status).toBe(200);
  });

  it('stops the simulators with the hub', async () => {
    const before = liveProcessGroups().length;
    expect(before).toBeGreaterThan(0);
    await hub!.stop();
    hub = undefined;
    expect(liveProcessGroups()).toEqual([]);
  });
});
