import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePassJpegs } from '../../analytics/pipeline/pass-images.ts';
import { startTestHub, type TestHub } from '../helpers/test-hub.ts';

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

// File modes are about the SQLite files and the hub's own folders: SQLite only.
describe('data folder permissions', () => {
  const parent = mkdtempSync(join(tmpdir(), 'hub-modes-'));
  const dataDir = join(parent, 'fresh', 'data');
  let t: TestHub;
  beforeAll(async () => { t = await startTestHub('sqlite', { overrides: { dataDir, database: { url: '' } } }); });
  afterAll(async () => {
    await t?.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it('security #10: the data folder is 0700 and the SQLite file, its WAL/SHM, private Redis folder and stored images are private to the hub user', async () => {
    // Something written: logins (audited) happened at start; one more write through the API.
    expect((await t.api('/api/v1/auth/login', { body: { username: 'admin', password: 'wrong password' } })).status).toBe(401);
    const images = join(t.hub.ctx.dataDir, 'images');
    const paths = await writePassJpegs(images, 'modes-pass', Date.now(), { crop: Buffer.from('crop'), scene: Buffer.from('scene') });
    expect(t.hub.ctx.dataDir).toBe(dataDir);
    const modes = {
      dataDir: modeOf(dataDir),
      sqlite: modeOf(join(dataDir, 'hub.sqlite')),
      wal: modeOf(join(dataDir, 'hub.sqlite-wal')),
      shm: modeOf(join(dataDir, 'hub.sqlite-shm')),
      redisDir: modeOf(join(dataDir, 'redis')),
      imagesDir: modeOf(images),
      imageDayDir: modeOf(join(images, paths.crop, '..')),
      crop: modeOf(join(images, paths.crop)),
      scene: modeOf(join(images, paths.scene)),
    };
    expect(modes).toEqual({ dataDir: '700', sqlite: '600', wal: '600', shm: '600', redisDir: '700', imagesDir: '700', imageDayDir: '700', crop: '600', scene: '600' });
  });
});
