import { PROVINCES, SPECIAL_SUFFIXES, type PlateColour } from './plate-vocabulary.js';

export type PlateKind = 'standard' | 'new-energy' | 'special' | 'embassy' | 'armed-police' | 'civil-aviation' | 'emergency';

export interface PlateFormat {
  valid: boolean;
  kind?: PlateKind;
  /** Special suffix character (警, 港, ...) or the 使 prefix. */
  marker?: string;
}

// Serial characters: digits and capitals without I and O (GA 36, to avoid confusion with 1 and 0).
const SERIAL = '[A-HJ-NP-Z0-9]';
const STANDARD = new RegExp(`^[${PROVINCES}][A-Z]${SERIAL}{5}$`);
const NEW_ENERGY = new RegExp(`^[${PROVINCES}][A-Z](?:[DF]${SERIAL}{5}|${SERIAL}{5}[DF])$`);
const SPECIAL = new RegExp(`^[${PROVINCES}][A-Z]${SERIAL}{4}([${SPECIAL_SUFFIXES}])$`);
// Embassy plates: 使 + 3-digit mission code + 3-digit serial (1992 style) or the serial first and 使 last (2018 style).
const EMBASSY = /^(?:使[0-9]{6}|[0-9]{6}使)$/;
// Armed police (2012 style): WJ, the province of the unit (none for the headquarters), 4 digits and a
// 5th character that is a digit or the branch letter (X fire, B border, T traffic, S forest, H gold, J guard, D hydro).
const ARMED_POLICE = new RegExp(`^WJ[${PROVINCES}]?[0-9]{4}[0-9XBTSHJD]$`);
const CIVIL_AVIATION = new RegExp(`^民航${SERIAL}{5}$`);
const EMERGENCY = new RegExp(`^[${PROVINCES}][A-Z]${SERIAL}{4}应急$`);

/**
 * Chinese plate format check: province + letter + 5 serial characters; new-energy (green) plates
 * have 6, with D or F (electric / hybrid) first or last; special plates end with one of
 * 警学港澳使领挂试超 after 4 serial characters; embassy plates have 6 digits and 使 first or last;
 * armed-police plates start with WJ; civil-aviation plates with 民航; emergency plates end with 应急.
 */
export function checkPlateFormat(plate: string): PlateFormat {
  if (STANDARD.test(plate)) return { valid: true, kind: 'standard' };
  if (NEW_ENERGY.test(plate)) return { valid: true, kind: 'new-energy' };
  const special = SPECIAL.exec(plate);
  if (special) return { valid: true, kind: 'special', marker: special[1] };
  if (EMBASSY.test(plate)) return { valid: true, kind: 'embassy', marker: '使' };
  if (ARMED_POLICE.test(plate)) return { valid: true, kind: 'armed-police', marker: 'WJ' };
  if (CIVIL_AVIATION.test(plate)) return { valid: true, kind: 'civil-aviation', marker: '民航' };
  if (EMERGENCY.test(plate)) return { valid: true, kind: 'emergency', marker: '应急' };
  return { valid: false };
}

/**
 * Colours the classifier cannot express (it knows blue, green and yellow only), decided by the plate
 * number as HyperLPR3's code_filter does: Hong Kong/Macau cross-border (港, 澳, any 粤Z) and
 * embassy/consulate (使, 领) plates are black, police (警) plates are white. Otherwise undefined: the
 * classifier decides (new-energy plates are green on cars but yellow-green on trucks, so not here).
 */
export function colourFromFormat(plate: string, format: PlateFormat): PlateColour | undefined {
  if (!format.valid) return undefined;
  if (format.kind === 'embassy') return 'black';
  if (format.marker === '港' || format.marker === '澳' || format.marker === '使' || format.marker === '领') return 'black';
  if (plate.startsWith('粤Z')) return 'black';
  if (format.marker === '警' || format.kind === 'armed-police') return 'white';
  return undefined;
}
