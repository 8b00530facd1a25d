import { describe, expect, it } from 'vitest';
import { editDistance, foldedVariants, foldPlate, normalisePattern, normalisePlate, patternToRegExp } from '../../analytics/vocabulary/plate-text.ts';
import { csvField } from '../../api/checkpoint/export-routes.ts';
import { gat1400Time } from '../../api/checkpoint/gat1400.ts';
import { signWebhook, verifyWebhookSignature } from '../../api/checkpoint/webhook-delivery.ts';

describe('plate text', () => {
  it('normalises and folds OCR confusions to one representative', () => {
    expect(normalisePlate(' 京a·12345 ')).toBe('京A12345');
    expect(normalisePlate('x')).toBeUndefined();
    expect(normalisePlate('京A1234;')).toBeUndefined();
    expect(foldPlate('京ADQ0B8I1Z2S5G6')).toBe('京A0008811225566');
    expect(foldPlate('粤B8S2Z1')).toBe('粤885221');
    expect(foldPlate('京A12345')).toBe(foldPlate('京AIZ3B5'.replace('B', '4')));
  });

  it('fuzzy variants hold every one-edit neighbour and nothing further', () => {
    const folded = foldPlate('京A12345');
    const variants = new Set(foldedVariants(folded));
    expect(variants.has(folded)).toBe(true);
    expect(variants.has(foldPlate('京A12349'))).toBe(true); // substitution
    expect(variants.has(foldPlate('京A1234'))).toBe(true); // deletion
    expect(variants.has(foldPlate('京A123456'))).toBe(true); // insertion
    expect(variants.has(foldPlate('沪A12345'))).toBe(true); // province misread
    expect(variants.has(foldPlate('京A12399'))).toBe(false); // two edits
    for (const v of variants) expect(editDistance(folded, v)).toBeLessThanOrEqual(1);
  });

  it('computes capped edit distance', () => {
    expect(editDistance('京A12345', '京A12345')).toBe(0);
    expect(editDistance('京A12345', '京A1234')).toBe(1);
    expect(editDistance('京A12345', '京A54321', 2)).toBe(3);
    expect(editDistance('京A12345', '沪B12345', 1)).toBe(2); // the pass tracker's one-edit check
  });

  it('wildcard patterns need a literal and match like the SQL forms', () => {
    expect(normalisePattern('**')).toBeUndefined();
    expect(normalisePattern('京a1*')).toBe('京A1*');
    expect(patternToRegExp('京A1?3*').test('京A12345')).toBe(true);
    expect(patternToRegExp('京A1?3*').test('京A22345')).toBe(false);
  });

  it('defuses spreadsheet formulas and quotes CSV fields', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField(null)).toBe('');
  });

  it('formats GA/T 1400 time in China time and signs webhooks verifiably', () => {
    expect(gat1400Time(Date.UTC(2024, 0, 2, 16, 5, 9))).toBe('20240103000509');
    const signature = signWebhook('k', '1700000000000', '{"a":1}');
    expect(verifyWebhookSignature('k', '1700000000000', '{"a":1}', signature)).toBe(true);
    expect(verifyWebhookSignature('k', '1700000000001', '{"a":1}', signature)).toBe(false);
    expect(verifyWebhookSignature('other', '1700000000000', '{"a":1}', signature)).toBe(false);
  });
});
