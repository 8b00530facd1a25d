import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { expect, it } from 'vitest';
import { Hub } from '../../api/hub/hub.ts';
import { loadConfig } from '../../api/hub/load-config.ts';
import { createScratchDatabase, describeEachDatabase, type ScratchDatabase } from '../helpers/databases.ts';

const secret = () => randomBytes(32).toString('base64url');

/** A hub on the given database with only the camera feature, not listening. */
function startHub(database: ScratchDatabase, encryptionKey: string, previousEncryptionKeys: string[] = []): Promise<Hub> {
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir: database.dataDir,
      database: { url: database.url },
      auth: { tokenSecret: secret() },
      credentials: { encryptionKey, previousEncryptionKeys },
      audit: { chainKey: secret() },
      log: { level: 'silent' },
    },
  });
  return Hub.start({ config, features: ['cameras'], listen: false, logger: pino({ level: 'silent' }) });
}

describeEachDatabase('camera credentials key rotation', (kind) => {
  it('a hub started with a new key and the old one as retired reads the credentials and seals them again, so the old key can go', async () => {
    const database = await createScratchDatabase(kind);
    try {
      await rotate(database);
    } finally {
      await database.drop();
    }
  });
});

/** Old key → new key alone (refused) → new key with the old one retired (read, sealed again) → new key alone. */
async function rotate(database: ScratchDatabase): Promise<void> {
  const [oldKey, newKey] = [secret(), secret()];
  let hub = await startHub(database, oldKey);
  let cameraId: string;
  try {
    const department = await hub.ctx.directory.createDepartment({ name: 'Rotation test', kind: 'public_security', isGovernment: true });
    const camera = await hub.services.cameras!.create({
      name: 'gate', departmentId: department.id, category: 'public_security',
      streamUrl: 'rtsp://127.0.0.1:8554/gate', credentials: { username: 'admin', password: 'Only-The-Camera-Knows' },
    });
    cameraId = camera.id;
  } finally {
    await hub.stop();
  }

  // The new key alone cannot read what the old one sealed: the failure is loud, not garbage.
  hub = await startHub(database, newKey);
  try {
    await expect(hub.services.cameras!.pullUrl(cameraId)).rejects.toMatchObject({ code: 'CREDENTIALS_UNREADABLE' });
  } finally {
    await hub.stop();
  }

  hub = await startHub(database, newKey, [oldKey]);
  try {
    expect(await hub.services.cameras!.pullUrl(cameraId)).toBe('rtsp://admin:Only-The-Camera-Knows@127.0.0.1:8554/gate');
  } finally {
    await hub.stop();
  }

  hub = await startHub(database, newKey);
  try {
    expect(await hub.services.cameras!.pullUrl(cameraId)).toBe('rtsp://admin:Only-The-Camera-Knows@127.0.0.1:8554/gate');
  } finally {
    await hub.stop();
  }
}
