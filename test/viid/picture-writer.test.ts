import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundUrlGuard } from '../../api/kernel/http/outbound-url.ts';
import { decodeBase64Picture, PictureRefusal } from '../../api/viid/pictures/base64-picture.ts';
import { VehicleImages } from '../../api/viid/pictures/vehicle-images.ts';

describe('decodeBase64Picture', () => {
  const bytes = Buffer.from([0xff, 0xd8, 1, 2, 3, 4, 5, 250, 251, 252]);
  it('decodes standard, URL-safe, unpadded, wrapped and data: URL text alike', () => {
    const text = bytes.toString('base64');
    for (const form of [text, bytes.toString('base64url'), text.replace(/=+$/, ''), `${text.slice(0, 4)}\r\n${text.slice(4)}`, `data:image/jpeg;base64,${text}`]) {
      expect(decodeBase64Picture(form, 1_000)).toEqual(bytes);
    }
  });
  it('refuses text outside the alphabet, padding inside, empty data and a size beyond the limit before decoding', () => {
    const refusal = (text: string, max = 1_000) => { try { decodeBase64Picture(text, max); } catch (e) { return (e as PictureRefusal).code; } return 'accepted'; };
    expect(refusal('AAAA*AAA')).toBe('VIID_IMAGE_INVALID');
    expect(refusal('AA==AA==')).toBe('VIID_IMAGE_INVALID');
    expect(refusal('')).toBe('VIID_IMAGE_INVALID');
    expect(refusal('A'.repeat(4_000), 1_000)).toBe('VIID_IMAGE_TOO_LARGE');
  });
});

describe('VehicleImages through the writer threads', () => {
  let dir: string;
  let images: VehicleImages;
  let jpeg: Buffer;
  let png: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hub-pictures-'));
    images = new VehicleImages(join(dir, 'images'), { maxImageBytes: 100_000, maxImagePixels: 100_000, fetchTimeoutMs: 1_000, writerThreads: 2 }, new OutboundUrlGuard([]));
    await images.start();
    jpeg = await sharp({ create: { width: 120, height: 40, channels: 3, background: '#2040a0' } }).jpeg().toBuffer();
    png = await sharp({ create: { width: 30, height: 10, channels: 3, background: '#a04020' } }).png().toBuffer();
  });
  afterAll(async () => {
    await images?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a batch in order: JPEGs as sent, other formats re-encoded, refusals per picture, private files', async () => {
    const at = Date.UTC(2026, 11, 6, 8);
    const huge = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#000' } }).jpeg().toBuffer();
    const outcomes = await images.storeAll([
      { passId: 'a', at, kind: 'crop', source: { data: jpeg.toString('base64') } },
      { passId: 'a', at, kind: 'scene', source: { data: png.toString('base64') } },
      { passId: 'b', at, kind: 'crop', source: { data: 'not base64 at all!' } },
      { passId: 'c', at, kind: 'crop', source: { data: huge.toString('base64') } },
      { passId: 'd', at, kind: 'crop', source: { url: 'http://10.255.255.1/x.jpg' } },
    ]);
    expect(outcomes[0]).toEqual({ rel: '2026-12-06/a-crop.jpg' });
    expect(await readFile(join(dir, 'images', '2026-12-06/a-crop.jpg'))).toEqual(jpeg);
    expect((await stat(join(dir, 'images', '2026-12-06/a-crop.jpg'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'images', '2026-12-06'))).mode & 0o777).toBe(0o700);
    expect(outcomes[1]).toEqual({ rel: '2026-12-06/a-scene.jpg' });
    expect((await sharp(await readFile(join(dir, 'images', '2026-12-06/a-scene.jpg'))).metadata()).format).toBe('jpeg');
    expect(outcomes[2]).toMatchObject({ error: { code: 'VIID_IMAGE_INVALID' } });
    expect(outcomes[3]).toMatchObject({ error: { code: 'VIID_IMAGE_TOO_LARGE' } });
    expect(outcomes[4]).toMatchObject({ error: { code: 'VIID_IMAGE_URL_REFUSED' } });
    await expect(stat(join(dir, 'images', '2026-12-06/b-crop.jpg'))).rejects.toThrow();
  });

  it('many concurrent batches all land, and a folder removed meanwhile (retention) is made again', async () => {
    const at = Date.UTC(2026, 11, 7, 8);
    const data = jpeg.toString('base64');
    const batch = (b: number) => images.storeAll(Array.from({ length: 50 }, (_, i) => ({ passId: `p${b}-${i}`, at, kind: 'crop' as const, source: { data } })));
    const first = await Promise.all(Array.from({ length: 8 }, (_, b) => batch(b)));
    expect(first.flat().every((o) => 'rel' in o)).toBe(true);
    await rm(join(dir, 'images', '2026-12-07'), { recursive: true });
    const again = await batch(99);
    expect(again.every((o) => 'rel' in o)).toBe(true);
    expect(await readFile(join(dir, 'images', '2026-12-07/p99-0-crop.jpg'))).toEqual(jpeg);
  });
});
