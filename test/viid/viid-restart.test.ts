import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { expect, it } from 'vitest';
import { Hub } from '../../api/hub/hub.ts';
import { loadConfig } from '../../api/hub/load-config.ts';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../helpers/databases.ts';

const secret = () => randomBytes(32).toString('base64url');
const PEER = '32010000001190000077';

function startHub(database: ScratchDatabase, encryptionKey: string, previousEncryptionKeys: string[] = []): Promise<Hub> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: database.dataDir, database: { url: database.url }, auth: { tokenSecret: secret() },
      credentials: { encryptionKey, previousEncryptionKeys }, audit: { chainKey: secret() }, log: { level: 'silent' },
    },
  });
  return Hub.start({ config, features: ['cameras', 'checkpoint', 'viid'], listen: false, logger: pino({ level: 'silent' }) });
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

  it('no peer is online after a restart (sessions live in memory), and its 卡口 devices wait offline', async () => {
    const database = await createScratchDatabase(kind);
    const key = secret();
    try {
      let hub = await startHub(database, key);
      const department = await hub.ctx.directory.createDepartment({ name: 'Restart', kind: 'traffic', isGovernment: true });
      const now = Date.now();
      await hub.services.viid!.peers.insert({
        id: PEER, kind: 'device', name: 'gate', department_id: department.id, disabled: 0, status: 'unregistered',
        registered_at: null, registered_from: null, last_seen_at: null, created_by: 'test', created_at: now, updated_at: now,
      }, 'peer-password', ['32010000001190000078']);
      await hub.services.viid!.peers.setStatus(PEER, 'online', now, '127.0.0.1');
      const camera = await hub.services.cameras!.createPushDevice({ name: 'gate cam', departmentId: department.id, nationalId: '32010000001190000078' });
      await hub.services.cameraSupervisor!.probed(camera.id, { status: 'online', reason: 'peer registered' });
      const withStream = await hub.services.cameras!.create({ name: 'rtsp cam', departmentId: department.id, category: 'traffic', streamUrl: 'rtsp://127.0.0.1:9/x' });
      await hub.services.cameraSupervisor!.probed(withStream.id, { status: 'online', reason: 'probe ok' });
      await hub.stop();

      hub = await startHub(database, key);
      expect((await hub.services.viid!.peers.find(PEER))!.status).toBe('offline');
      expect(await hub.ctx.cameras.statusOf(camera.id)).toBe('offline');
      // A camera with a stream keeps its probe's status.
      expect(await hub.ctx.cameras.statusOf(withStream.id)).toBe('online');
      await hub.stop();
    } finally {
      await database.drop();
    }
  });
});
