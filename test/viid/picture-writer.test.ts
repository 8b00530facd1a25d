import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundUrlGuard } from '../../api/kernel/http/outbound-url.ts';
import { decodeBase64Picture, PictureRefusal } from '../../api/viid/pictures/base64-picture.ts';
import { VehicleImages, type PictureOutcome } from '../../api/viid/pictures/vehicle-images.ts';
import { PassPictures } from '../../api/checkpoint/pass-pictures.ts';

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
  let pictures: PassPictures;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hub-pictures-'));
    pictures = new PassPictures(join(dir, 'images'));
    images = new VehicleImages(join(dir, 'images'), { maxImageBytes: 100_000, maxImagePixels: 100_000, fetchTimeoutMs: 1_000, writerThreads: 2 }, new OutboundUrlGuard([]));
    await images.start();
    jpeg = await sharp({ create: { width: 120, height: 40, channels: 3, background: '#2040a0' } }).jpeg().toBuffer();
    png = await sharp({ create: { width: 30, height: 10, channels: 3, background: '#a04020' } }).png().toBuffer();
  });
  afterAll(async () => {
    await images?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const VOLUME_RANGE = /^(\d{4}-\d{2}-\d{2}\/[0-9a-f]{12}-\d+\.pack)#(\d+)\+(\d+)$/;
  const volumeOf = (outcome: PictureOutcome) => VOLUME_RANGE.exec((outcome as { rel: string }).rel)?.[1];

  it('stores a batch in order: JPEGs as sent, other formats re-encoded, refusals per picture, in a private volume of the pass\'s day', async () => {
    const at = Date.UTC(2026, 11, 6, 8);
    const huge = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#000' } }).jpeg().toBuffer();
    const outcomes = await images.storeAll([
      { passId: 'a', at, kind: 'crop', source: { data: jpeg.toString('base64') } },
      { passId: 'a', at, kind: 'scene', source: { data: png.toString('base64') } },
      { passId: 'b', at, kind: 'crop', source: { data: 'not base64 at all!' } },
      { passId: 'c', at, kind: 'crop', source: { data: huge.toString('base64') } },
      { passId: 'd', at, kind: 'crop', source: { url: 'http://10.255.255.1/x.jpg' } },
    ]);
    expect(outcomes[0]).toEqual({ rel: expect.stringMatching(VOLUME_RANGE) });
    expect((outcomes[0] as { rel: string }).rel.startsWith('2026-12-06/')).toBe(true);
    expect(await pictures.read((outcomes[0] as { rel: string }).rel)).toEqual(jpeg);
    expect((await stat(join(dir, 'images', volumeOf(outcomes[0]!)!))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'images', '2026-12-06'))).mode & 0o777).toBe(0o700);
    expect(outcomes[1]).toEqual({ rel: expect.stringMatching(VOLUME_RANGE) });
    expect((await sharp(await pictures.read((outcomes[1] as { rel: string }).rel)).metadata()).format).toBe('jpeg');
    expect(outcomes[2]).toMatchObject({ error: { code: 'VIID_IMAGE_INVALID' } });
    expect(outcomes[3]).toMatchObject({ error: { code: 'VIID_IMAGE_TOO_LARGE' } });
    expect(outcomes[4]).toMatchObject({ error: { code: 'VIID_IMAGE_URL_REFUSED' } });
    // No file per picture: the day folder holds volumes only.
    expect((await readdir(join(dir, 'images', '2026-12-06'))).every((name) => name.endsWith('.pack'))).toBe(true);
  });

  it('many concurrent batches all land in non-overlapping ranges, each thread in its own volume', async () => {
    const at = Date.UTC(2026, 11, 7, 8);
    const sizes = [jpeg, await sharp({ create: { width: 60, height: 20, channels: 3, background: '#fff' } }).jpeg().toBuffer()];
    const batch = (b: number) => images.storeAll(Array.from({ length: 50 }, (_, i) => ({ passId: `p${b}-${i}`, at, kind: 'crop' as const, source: { data: sizes[(b + i) % 2]!.toString('base64') } })));
    const outcomes = (await Promise.all(Array.from({ length: 8 }, (_, b) => batch(b)))).flat();
    expect(outcomes.every((o) => 'rel' in o)).toBe(true);
    const ranges = outcomes.map((o) => VOLUME_RANGE.exec((o as { rel: string }).rel)!).map((m) => ({ volume: m[1]!, start: Number(m[2]), end: Number(m[2]) + Number(m[3]) }));
    expect(new Set(ranges.map((r) => r.volume)).size).toBe(2);
    for (const volume of new Set(ranges.map((r) => r.volume))) {
      const sorted = ranges.filter((r) => r.volume === volume).sort((x, y) => x.start - y.start);
      sorted.forEach((r, i) => expect(r.start).toBe(i === 0 ? 0 : sorted[i - 1]!.end));
      expect((await stat(join(dir, 'images', volume))).size).toBe(sorted.at(-1)!.end);
    }
    for (const [i, outcome] of outcomes.entries()) {
      const [b, j] = [Math.floor(i / 50), i % 50];
      expect(await pictures.read((outcome as { rel: string }).rel)).toEqual(sizes[(b + j) % 2]);
    }
  });

  it('a day folder removed by retention while its volume is open is made again, with a new volume', async () => {
    const at = Date.UTC(2026, 11, 8, 8);
    const one = async (passId: string) => (await images.storeAll([{ passId, at, kind: 'crop', source: { data: jpeg.toString('base64') } }]))[0] as { rel: string };
    const before = await Promise.all(Array.from({ length: 6 }, (_, i) => one(`before-${i}`)));
    await rm(join(dir, 'images', '2026-12-08'), { recursive: true });
    expect(await pictures.read(before[0]!.rel)).toBeUndefined();
    const after = await Promise.all(Array.from({ length: 6 }, (_, i) => one(`after-${i}`)));
    for (const stored of after) {
      expect(await pictures.read(stored.rel)).toEqual(jpeg);
      expect(before.map((b) => volumeOf(b))).not.toContain(volumeOf(stored));
    }
  });

  it('stop closes the volumes; a restarted writer appends to new ones and the old ranges stay readable', async () => {
    const at = Date.UTC(2026, 11, 9, 8);
    const first = (await images.storeAll([{ passId: 'x', at, kind: 'crop', source: { data: jpeg.toString('base64') } }]))[0] as { rel: string };
    await images.stop();
    const open = readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } });
    expect(open.filter((target) => target.endsWith('.pack'))).toEqual([]);
    await images.start();
    const second = (await images.storeAll([{ passId: 'y', at, kind: 'crop', source: { data: jpeg.toString('base64') } }]))[0] as { rel: string };
    expect(volumeOf(second)).not.toBe(volumeOf(first));
    expect(await pictures.read(first.rel)).toEqual(jpeg);
    expect(await pictures.read(second.rel)).toEqual(jpeg);
  });
});
