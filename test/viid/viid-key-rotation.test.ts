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

describeEachDatabase('GA/T 1400 peer passwords across a credentials key rotation', (kind) => {
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
});
