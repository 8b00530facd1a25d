import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../../api/kernel/crypto/secret-box.ts';
import { openDatabase, type HubDatabase } from '../../api/kernel/db/database.ts';
import { migrateToLatest } from '../../api/kernel/db/migrator.ts';
import { CameraRepository, type NationalSliceItem } from '../../ingest/registry/camera-repository.ts';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/databases.ts';
import { skipPostgres } from '../helpers/pg-url.ts';

// Two cluster nodes syncing one GB/T 28181 device's catalogue at once (it registered on one while an admin edit
// re-synced it on the other): both read "no camera with this national ID" and both insert. CI saw the second
// node's transaction fail with a unique violation and its PATCH answer 500.
describe.skipIf(skipPostgres)('GB/T 28181 channel cameras created by two nodes at once [postgres]', () => {
  let scratch: ScratchDatabase | undefined;
  const opened: HubDatabase[] = [];
  afterEach(async () => {
    for (const database of opened.splice(0)) await database.close();
    await scratch?.drop();
    scratch = undefined;
  });

  it('neither node fails; each channel gets one camera, and the node that lost the insert reconciles the winner’s row', async () => {
    scratch = await createScratchDatabase('postgres');
    const nodeA = openDatabase({ url: scratch.url, dataDir: scratch.dataDir, poolSize: 2 });
    const nodeB = openDatabase({ url: scratch.url, dataDir: scratch.dataDir, poolSize: 2 });
    opened.push(nodeA, nodeB);
    await migrateToLatest(nodeA.db);
    await nodeA.db.insertInto('departments').values({ id: 'dept-ps', name: '公安', kind: 'public_security', is_government: 1, created_at: 0 }).execute();
    const secrets = new SecretBox(randomBytes(32).toString('base64url'));
    const deviceId = '34020000001320000001';
    const channels = Array.from({ length: 60 }, (_, i) => `3402000000132${String(i + 1).padStart(7, '0')}`);
    const sliceFor = (name: string): NationalSliceItem[] => channels.map((nationalId) => {
      const facts = { name: `${name} ${nationalId.slice(-3)}`, lat: null, lon: null, address: null, ptz: 0 };
      return {
        nationalId, departmentId: 'dept-ps', category: 'public_security', facts,
        insert: {
          id: randomUUID(), department_id: 'dept-ps', category: 'public_security', ...facts,
          stream_url: `gb28181://${deviceId}/${nationalId}`, sub_stream_url: null, snapshot_url: null, onvif_xaddr: null,
          status: 'unknown', last_seen_at: null, status_changed_at: null, analytics_enabled: 0, source: 'gb28181',
          national_id: nationalId, credentials_enc: null, created_at: 1, updated_at: 1,
        },
      };
    });

    // Both transactions read before either commits: the same interleaving as the CI failure, every round.
    for (let round = 0; round < 3; round++) {
      await nodeA.db.deleteFrom('cameras').execute();
      const [fromA, fromB] = await Promise.all([
        new CameraRepository(nodeA.db, secrets).upsertNationalSlice(sliceFor('A'), 2),
        new CameraRepository(nodeB.db, secrets).upsertNationalSlice(sliceFor('B'), 2),
      ]);
      const rows = await nodeA.db.selectFrom('cameras').select(['id', 'national_id', 'name']).execute();
      expect(rows).toHaveLength(channels.length);
      const byNationalId = new Map(rows.map((row) => [row.national_id, row]));
      for (const [index, nationalId] of channels.entries()) {
        const stored = byNationalId.get(nationalId)!;
        // Whichever node's row exists, both nodes return that camera's id, never an id that was not stored.
        expect(fromA[index]!.row.id).toBe(stored.id);
        expect(fromB[index]!.row.id).toBe(stored.id);
      }
      // Exactly one node created each channel.
      const created = [...fromA, ...fromB].filter((entry) => entry.change === 'created');
      expect(created).toHaveLength(channels.length);
    }
  });
});
