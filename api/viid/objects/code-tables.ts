/**
 * GA/T 1400 code tables the hub reads and writes: the colour table (plates and vehicles share it), 机动车类型
 * (GA 24.4) for VehicleClass, 行驶方向 for Direction, 号牌种类 for PlateClass, and the SubImage types.
 */

/** Colour table: 1 black … 99 other. Our words on the left (plate colours use the first five and yellow_green). */
export const COLOUR_CODES: Readonly<Record<string, string>> = Object.freeze({
  black: '1', white: '2', grey: '3', red: '4', blue: '5', yellow: '6', orange: '7', brown: '8', green: '9',
  purple: '10', cyan: '11', pink: '12', transparent: '13',
});
const COLOUR_WORDS: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(Object.entries(COLOUR_CODES).map(([word, code]) => [code, word])));

export const colourCode = (word: string | null | undefined): string => (word ? COLOUR_CODES[word] ?? '99' : '99');
/** A colour code as a word; unknown codes (99, anything else) give undefined. */
export const colourWord = (code: unknown): string | undefined => COLOUR_WORDS[String(code ?? '').trim()];

/** Plate colours our pass records allow, from a GA colour code. */
export function plateColourOf(code: unknown): 'blue' | 'yellow' | 'green' | 'white' | 'black' | 'unknown' {
  const word = colourWord(code);
  return word === 'blue' || word === 'yellow' || word === 'green' || word === 'white' || word === 'black' ? word : 'unknown';
}

/**
 * Our detector's classes (COCO words) as 机动车类型 codes: car → K33 small car, bus → K11 large bus, truck → H20
 * medium truck (the detector does not tell sizes apart), motorcycle → M20 ordinary motorcycle. Anything else
 * X99 (other). Codes a peer sent (K33, H11, …) pass through.
 */
const CLASS_CODES: Readonly<Record<string, string>> = Object.freeze({ car: 'K33', bus: 'K11', truck: 'H20', motorcycle: 'M20' });
export const VEHICLE_CLASS_CODE = /^[A-Z][0-9]{1,2}$/;

export function vehicleClassCode(value: string | null | undefined): string {
  if (!value) return 'X99';
  if (VEHICLE_CLASS_CODE.test(value)) return value;
  return CLASS_CODES[value] ?? 'X99';
}

/**
 * 行驶方向: 1 east→west, 2 west→east, 3 south→north, 4 north→south, 5 south-east→north-west,
 * 6 north-west→south-east, 7 north-east→south-west, 8 south-west→north-east, 9 other. We store the word.
 */
export const DIRECTION_WORDS = Object.freeze(['east_to_west', 'west_to_east', 'south_to_north', 'north_to_south',
  'southeast_to_northwest', 'northwest_to_southeast', 'northeast_to_southwest', 'southwest_to_northeast', 'other'] as const);

export function directionCode(word: string | null | undefined): string | undefined {
  if (!word) return undefined;
  if (/^[1-9]$/.test(word)) return word;
  const index = (DIRECTION_WORDS as readonly string[]).indexOf(word);
  return index < 0 ? '9' : String(index + 1);
}

export function directionWord(code: unknown): string | undefined {
  const text = String(code ?? '').trim();
  return /^[1-9]$/.test(text) ? DIRECTION_WORDS[Number(text) - 1] : undefined;
}

/**
 * 号牌种类 (GA 24.7) from the plate text and colour, as far as they tell: 01 large (yellow), 02 small (blue),
 * 51/52 new-energy large/small (yellow-green / green), 23 police (警), 15 trailer (挂), 16 learner (学),
 * 03 embassy (使), 04 consulate (领), 26/27 Hong Kong / Macao (港/澳); 99 other.
 */
export function plateClassCode(plate: string, colour: string): string {
  if (!plate) return '99';
  const last = plate.at(-1);
  if (plate.startsWith('使') || last === '使') return '03';
  if (plate.startsWith('领') || last === '领') return '04';
  if (last === '警') return '23';
  if (last === '挂') return '15';
  if (last === '学') return '16';
  if (last === '港') return '26';
  if (last === '澳') return '27';
  if (colour === 'yellow_green') return '51';
  if (colour === 'green') return '52';
  if (colour === 'yellow') return '01';
  if (colour === 'blue') return '02';
  return '99';
}

/** SubImageInfoObject.Type codes. */
export const IMAGE_TYPES = { vehicle: '01', plateColour: '02', plateBinary: '03', closeUp: '09', scene: '14', general: '100' } as const;
