import { describe, expect, it } from 'vitest';
import { checkPlateFormat, colourFromFormat } from '../../analytics/vocabulary/plate-format.ts';

describe('Chinese plate format', () => {
  it.each([
    ['京A12345', 'standard'],
    ['津B6H920', 'standard'],
    ['苏ED51712', 'new-energy'],
    ['皖KD01833', 'new-energy'],
    ['沪A12345F', 'new-energy'],
    ['粤ZP560港', 'special'],
    ['粤Z1234澳', 'special'],
    ['京A1234警', 'special'],
    ['川A1234学', 'special'],
    ['沪A1234领', 'special'],
    ['鲁B1234挂', 'special'],
    ['使014578', 'embassy'],
  ])('accepts %s as %s', (plate, kind) => {
    expect(checkPlateFormat(plate)).toMatchObject({ valid: true, kind });
  });

  it.each([
    ['', 'empty'],
    ['A123456', 'no province'],
    ['京1123456', 'digit instead of the letter'],
    ['京A1234', 'too short'],
    ['京A1234567', 'too long'],
    ['京AI2345', 'I is never a serial character'],
    ['京A12O45', 'O is never a serial character'],
    ['京A123456', 'six characters without D/F is not new-energy'],
    ['京A12345港', 'special suffix after five characters'],
    ['港A1234', 'suffix as prefix'],
    ['京A·12345', 'separator dot'],
    ['使01457', 'embassy too short'],
  ])('rejects %s (%s)', (plate) => {
    expect(checkPlateFormat(plate).valid).toBe(false);
  });

  it('derives the colours the classifier cannot express', () => {
    const colour = (p: string) => colourFromFormat(p, checkPlateFormat(p));
    expect(colour('粤ZP560港')).toBe('black');
    expect(colour('粤Z1234澳')).toBe('black');
    expect(colour('使014578')).toBe('black');
    expect(colour('京A1234警')).toBe('white');
    expect(colour('京A12345')).toBeUndefined();
    expect(colour('苏ED51712')).toBeUndefined(); // green or yellow-green: the classifier decides
    expect(colour('garbage')).toBeUndefined();
  });
});
