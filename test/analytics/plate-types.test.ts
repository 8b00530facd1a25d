import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../analytics/models/model-registry.ts';
import { loadImageFile } from '../../analytics/models/raw-image.ts';
import { PLATE_READER_MODELS, PlateReader, plateQuality } from '../../analytics/plates/plate-reader.ts';
import { canonicalPlate, isNotAPlate } from '../../analytics/vocabulary/plate-canonical.ts';
import { checkPlateFormat } from '../../analytics/vocabulary/plate-format.ts';
import { MEDIA_DIR } from '../../devtools/sim/test-clip.ts';

describe('plate canonicalisation before the format check', () => {
  it.each([
    ['沪A-F71017', '沪AF71017', 0, 'a dash between the letter and the serial (green new-energy plate)'],
    ['京A·12345', '京A12345', 0, 'the printed middle dot'],
    ['粤B ・ 12345', '粤B12345', 0, 'a katakana middle dot and spaces'],
    ['京三12345', '京E12345', 1, 'the upper row of a double-layer plate read as 三'],
    ['京812345', '京B12345', 1, 'a digit where the letter must be'],
    ['京AO2345', '京A02345', 1, 'O never appears in a serial'],
    ['川IA1234学', '川A1234学', 1, 'the frame next to the province read as a stroke'],
  ])('%s → %s (%s)', (read, plate, repairs) => {
    expect(canonicalPlate(read)).toMatchObject({ plate, repairs, format: { valid: true } });
  });

  it('leaves a valid plate alone and does not force an invalid one', () => {
    expect(canonicalPlate('京B12345')).toMatchObject({ plate: '京B12345', repairs: 0 });
    expect(canonicalPlate('京A12')).toMatchObject({ plate: '京A12', repairs: 0, format: { valid: false } });
  });

  it('tells signs and slogans from misread plates', () => {
    expect(isNotAPlate('危险品')).toBe(true);
    expect(isNotAPlate('易燃液体3')).toBe(true);
    expect(isNotAPlate('危险品12345')).toBe(true);
    expect(isNotAPlate('京A1Z34')).toBe(false); // garbled, but a plate's shape
    expect(isNotAPlate('WJ京1234X')).toBe(false);
    expect(isNotAPlate('民航12345')).toBe(false);
  });

  it.each([
    ['WJ京1234X', 'armed-police'], ['WJ12345', 'armed-police'], ['224001使', 'embassy'], ['使014578', 'embassy'],
    ['民航A1234', 'civil-aviation'], ['京A1234应急', 'emergency'], ['川A1234学', 'special'], ['沪AF71017', 'new-energy'],
  ])('knows %s as %s', (plate, kind) => {
    expect(checkPlateFormat(plate)).toMatchObject({ valid: true, kind });
  });

  it('scores quality lower for repairs, invalid formats and tiny plates', () => {
    const base = { confidence: 0.95, detectionScore: 0.9, formatValid: true, repairs: 0, heightPx: 40 };
    const q = plateQuality(base);
    expect(q).toBeGreaterThan(0.85);
    expect(plateQuality({ ...base, repairs: 1 })).toBeLessThan(q);
    expect(plateQuality({ ...base, formatValid: false })).toBeLessThan(q / 1.9);
    expect(plateQuality({ ...base, heightPx: 8 })).toBeLessThan(q);
  });
});

/**
 * Every plate type on crops rendered from the national layouts (media/plates/synthetic, made by
 * scripts/render-synthetic-plates.ts with a CJK font, blurred, rotated and JPEG-compressed): read through the
 * same entry point the pipeline uses.
 */
describe('plate reader on every plate type', () => {
  const dir = join(MEDIA_DIR, 'plates/synthetic');
  const labels = readFileSync(join(dir, 'LABELS.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
  let reader: PlateReader;
  beforeAll(async () => { reader = await PlateReader.create(ModelRegistry.open([...PLATE_READER_MODELS]), { intraOpThreads: 1 }); }, 60_000);
  afterAll(async () => { await reader?.release(); });

  it.each(labels.filter(([, plate]) => plate !== ''))('reads %s as %s', async (file, plate, layers) => {
    const readings = await reader.readPlates(await loadImageFile(join(dir, file)));
    expect(readings.map((r) => r.plate)).toEqual([plate]);
    expect(readings[0]).toMatchObject({ formatValid: true, layers: Number(layers) });
  }, 30_000);

  it('returns no reading for a dangerous-goods sign', async () => {
    const sign = labels.find(([, plate]) => plate === '')!;
    expect(await reader.readPlates(await loadImageFile(join(dir, sign[0])))).toEqual([]);
  }, 30_000);

  it('gives the armed-police plate its white colour from the format', async () => {
    const [reading] = await reader.readPlates(await loadImageFile(join(dir, 'armed_police_WJjing1234X.jpg')));
    expect(reading).toMatchObject({ colour: 'white', colourSource: 'format', kind: 'armed-police' });
  }, 30_000);
});

describe('far plates', () => {
  let near: PlateReader;
  let far: PlateReader;
  beforeAll(async () => {
    const registry = ModelRegistry.open([...PLATE_READER_MODELS, 'plate-detector-640']);
    near = await PlateReader.create(registry, { intraOpThreads: 1 });
    far = await PlateReader.create(registry, { intraOpThreads: 1, farPlates: true });
  }, 60_000);
  afterAll(async () => { await Promise.all([near?.release(), far?.release()]); });

  it('reads a plate half as large with the 640 detector where the 320 one finds nothing', async () => {
    // The street photo shrunk to half size in the corner of a 1080p frame: the car is twice as far away.
    const sharp = (await import('sharp')).default;
    const small = await sharp(join(MEDIA_DIR, 'plates/green_suED51712_street.jpg')).resize(960, 540).toBuffer();
    const { data, info } = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#202020' } })
      .composite([{ input: small, left: 0, top: 0 }]).raw().toBuffer({ resolveWithObject: true });
    const frame = { data, width: info.width, height: info.height, channels: info.channels };
    expect(await near.readPlates(frame)).toEqual([]);
    const [reading] = await far.readPlates(frame);
    expect(reading).toMatchObject({ plate: '苏ED51712', formatValid: true });
    expect(reading.box.x1).toBeGreaterThan(850); // at half the original x of ~1750
  }, 60_000);
});
