import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PassPictures, volumeReference } from '../../api/checkpoint/pass-pictures.ts';

describe('PassPictures: stored paths of whole files and of picture-volume ranges', () => {
  let root: string;
  let pictures: PassPictures;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'hub-pass-pictures-'));
    mkdirSync(join(root, 'images', '2026-12-01'), { recursive: true });
    mkdirSync(join(root, 'images', '2026-12-02'), { recursive: true });
    writeFileSync(join(root, 'images', '2026-12-01', 'abc-1.pack'), Buffer.concat([Buffer.from('AAAA'), Buffer.from('BBBBBB'), Buffer.from('CC')]));
    writeFileSync(join(root, 'images', '2026-12-01', 'p-crop.jpg'), 'whole');
    writeFileSync(join(root, 'images', '2026-12-02', 'abc-2.pack'), 'DDDD');
    writeFileSync(join(root, 'secret.pack'), 'outside');
    pictures = new PassPictures(join(root, 'images'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads a volume range and a whole file; a range past the end of its volume counts as gone', async () => {
    expect(volumeReference('2026-12-01/abc-1.pack', 4, 6)).toBe('2026-12-01/abc-1.pack#4+6');
    expect((await pictures.read('2026-12-01/abc-1.pack#4+6'))?.toString()).toBe('BBBBBB');
    expect(await pictures.present('2026-12-01/abc-1.pack#4+6')).toMatchObject({ size: 6, location: { range: { start: 4, length: 6 }, contentType: 'image/jpeg' } });
    expect((await pictures.read('2026-12-01/p-crop.jpg'))?.toString()).toBe('whole');
    expect(await pictures.present('2026-12-01/abc-1.pack#10+3')).toBeUndefined();
    expect(await pictures.read('2026-12-01/abc-1.pack#10+3')).toBeUndefined();
    expect(await pictures.read('2026-12-03/abc-9.pack#0+1')).toBeUndefined();
    expect(await pictures.read(null)).toBeUndefined();
  });

  it('never resolves outside the images folder, whatever the stored path says', async () => {
    for (const stored of ['../secret.pack', '../secret.pack#0+7', '2026-12-01/../../secret.pack#0+7', '/etc/passwd', '2026-12-01/../../../etc/passwd#0+4']) {
      expect(await pictures.read(stored)).toBeUndefined();
    }
    // A path that only looks like a range is a file name, and is looked up as one (inside the folder).
    expect(pictures.locate('2026-12-01/x.pack#-1+4')?.range).toBeUndefined();
  });

  it('remove deletes whole files and leaves volumes; removeExpiredVolumes deletes the volumes of days ending by the cutoff', async () => {
    expect(await pictures.remove(['2026-12-01/p-crop.jpg', '2026-12-01/abc-1.pack#0+4', null, '../secret.pack'])).toBe(2);
    expect(readdirSync(join(root, 'images', '2026-12-01'))).toEqual(['abc-1.pack']);
    // 2 December 00:00 UTC: the first day has ended, the second not.
    expect(await pictures.removeExpiredVolumes(Date.UTC(2026, 11, 2, 12))).toBe(1);
    expect(readdirSync(join(root, 'images')).sort()).toEqual(['2026-12-02']);
    expect(await pictures.removeExpiredVolumes(Date.UTC(2026, 11, 3))).toBe(1);
    expect(readdirSync(join(root, 'images'))).toEqual([]);
    expect(readdirSync(root).sort()).toEqual(['images', 'secret.pack']);
  });
});
