import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { expect, it } from 'vitest';
import { Hub } from '../../api/hub/hub.ts';
import { SimulatedTollgateDevice } from '../../devtools/sim/gat1400/simulated-tollgate-device.ts';
import { loadConfig } from '../../api/hub/load-config.ts';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../helpers/databases.ts';

const secret = () => randomBytes(32).toString('base64url');
const PEER = '32010000001190000077';

function startHub(database: ScratchDatabase, encryptionKey: string, previousEncryptionKeys: string[] = [], listen = false, port = 0): Promise<Hub> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: database.dataDir, database: { url: database.url }, auth: { tokenSecret: secret() },
      credentials: { encryptionKey, previousEncryptionKeys }, audit: { chainKey: secret() }, log: { level: 'silent' },
      http: { host: '127.0.0.1', port },
    },
  });
  return Hub.start({ config, features: ['cameras', 'checkpoint', 'viid'], listen, logger: pino({ level: 'silent' }) });
}

describeEachDatabase('GA/T 1400 peers across hub restarts', (kind) => {
  it('are read with the retired key and sealed again with the new one at start', async () => {
    const database = await createScratchDatabase(kind);
    const [oldKey, newKey] = [secret(), secret()];
    try {
      let hub = await startHub(database, oldKey);
      const department = await hub.ctx.directory.createDepartment({ name: 'Rotation', kind: 'traffic', isGovernment: true });
      const now = Date.now();
      await hub.services.viid!.peers.insert({
        id: PEER, kind: 'device', name: 'gate', department_id: department.id, disabled: 0, status: 'unregistered',
        registered_at: null, registered_from: null, last_seen_at: null, created_by: 'test', created_at: now, updated_at: now,
      }, 'Only-The-Peer-Knows', []);
      const sealedBefore = (await hub.ctx.db.selectFrom('viid_peers').select('password_enc').executeTakeFirstOrThrow()).password_enc;
      await hub.stop();

      hub = await startHub(database, newKey, [oldKey]);
      const sealedAfter = (await hub.ctx.db.selectFrom('viid_peers').select('password_enc').executeTakeFirstOrThrow()).password_enc;
      expect(sealedAfter).not.toBe(sealedBefore);
      await hub.stop();

      hub = await startHub(database, newKey);
      expect(await hub.services.viid!.peers.passwordOf(PEER)).toBe('Only-The-Peer-Knows');
      await hub.stop();
    } finally {
      await database.drop();
    }
  });

  it('a session within its keepalive survives a restart: the device pushes on without registering; a lapsed one registers again', async () => {
    const database = await createScratchDatabase(kind);
    const key = secret();
    const LAPSED = '32010000001190000079';
    try {
      let hub = await startHub(database, key, [], true);
      const department = await hub.ctx.directory.createDepartment({ name: 'Restart', kind: 'traffic', isGovernment: true });
      const now = Date.now();
      for (const id of [PEER, LAPSED]) {
        await hub.services.viid!.peers.insert({
          id, kind: 'device', name: `gate ${id.slice(-2)}`, department_id: department.id, disabled: 0, status: 'unregistered',
          registered_at: null, registered_from: null, last_seen_at: null, created_by: 'test', created_at: now, updated_at: now,
        }, 'peer-password', [id]);
      }
      const withStream = await hub.services.cameras!.create({ name: 'rtsp cam', departmentId: department.id, category: 'traffic', streamUrl: 'rtsp://127.0.0.1:9/x' });
      await hub.services.cameraSupervisor!.probed(withStream.id, { status: 'online', reason: 'probe ok' });
      const device = new SimulatedTollgateDevice({ baseUrl: hub.url, id: PEER, password: 'peer-password', keepaliveMs: 3_600_000 });
      const lapsed = new SimulatedTollgateDevice({ baseUrl: hub.url, id: LAPSED, password: 'peer-password', keepaliveMs: 3_600_000 });
      expect((await device.client.register()).status).toBe(200);
      expect((await lapsed.client.register()).status).toBe(200);
      expect((await device.push(2)).accepted).toBe(2);
      const camera = (await hub.ctx.cameras.byNationalIds([PEER])).get(PEER)!;
      expect(await hub.ctx.cameras.statusOf(camera.id)).toBe('online');
      // The other peer was last seen longer ago than the keepalive timeout allows.
      await hub.ctx.db.updateTable('viid_peers').set({ last_seen_at: now - 3_600_000 }).where('id', '=', LAPSED).execute();
      const port = Number(new URL(hub.url).port);
      // The stop flushes last-seen times of live sessions; the lapsed peer is not live in memory any more.
      hub.services.viid!.sessions.get(LAPSED)!.lastSeenAt = now - 3_600_000;
      await hub.stop();

      hub = await startHub(database, key, [], true, port);
      expect(hub.services.viid!.sessions.get(PEER)).toMatchObject({ peerId: PEER, address: '127.0.0.1' });
      expect((await hub.services.viid!.peers.find(PEER))!.status).toBe('online');
      expect(await hub.ctx.cameras.statusOf(camera.id)).toBe('online');
      // No new registration: the restored session takes the push.
      expect((await device.push(2)).accepted).toBe(2);
      // The lapsed one is offline, gets 401, registers again cleanly and pushes.
      expect((await hub.services.viid!.peers.find(LAPSED))!.status).toBe('offline');
      expect((await lapsed.push(1)).status).toBe(401);
      expect((await lapsed.client.register()).status).toBe(200);
      expect((await lapsed.push(1)).accepted).toBe(1);
      // A camera with a stream keeps its probe's status.
      expect(await hub.ctx.cameras.statusOf(withStream.id)).toBe('online');
      const registrations = await hub.ctx.db.selectFrom('audit_events').select('target_id').where('action', '=', 'viid.register').execute();
      expect(registrations.filter((r) => r.target_id === PEER)).toHaveLength(1);
      await hub.stop();
    } finally {
      await database.drop();
    }
  });
});
