import { checkPlateFormat, type PlateFormat } from './plate-format.ts';
import { PROVINCES, SPECIAL_PREFIXES, SPECIAL_SUFFIXES } from './plate-vocabulary.js';

/**
 * From what the recogniser read to the plate number: separators dropped, then, only when the text is not
 * already a valid plate, characters repaired where the plate's grammar leaves no doubt. A plate has a
 * letter in its second place (never a digit, never a Chinese character) and never I or O in its serial, so
 * 京8… can only be 京B…, 京三… (the upper row of a double-layer plate, three bars) only 京E…, and an O in the
 * serial only 0. A repair is kept only if it makes the whole plate valid, and is reported so that the
 * plate's quality score can count it.
 */

/** Separators plates print or OCR invents: spaces, middle dots in all their code points, hyphens, colons. */
const SEPARATORS = /[\s·・•∙‧.\-_–—:：,，'"`|]/g;

/** In the second place: what the recogniser may read instead of a letter. */
const AS_LETTER: Record<string, string> = {
  '0': 'D', '8': 'B', '2': 'Z', '5': 'S', '6': 'G', '4': 'A',
  三: 'E', 工: 'T', 王: 'E', 巳: 'E', 口: 'D', 日: 'B', 八: 'A', 人: 'A', 乙: 'Z', 己: 'C', 匚: 'C', 十: 'T', 凵: 'U', 丫: 'Y',
};
/** In the serial: I and O never appear, Chinese look-alikes of digits. */
const IN_SERIAL: Record<string, string> = { I: '1', O: '0', 口: '0', 〇: '0', 一: '1', 丨: '1', 二: '2', 三: '3', 八: '8', 日: '8' };
/** In the first place: look-alikes of province characters seen in OCR output. */
const AS_PROVINCE: Record<string, string> = { 泸: '沪', 粵: '粤', 亰: '京', 晉: '晋', 遼: '辽', 陝: '陕', 貴: '贵', 雲: '云', 閩: '闽', 黒: '黑' };

/** Strokes a border or rivet becomes in OCR. */
const STROKES = 'I1L|丨';

export interface CanonicalPlate {
  plate: string;
  format: PlateFormat;
  /** Characters changed by the repair (0 when the text was valid once the separators were gone). */
  repairs: number;
  /** Index of a character the repair removed (a stroke read from the plate's frame). */
  droppedIndex?: number;
}

export function stripSeparators(text: string): string {
  return text.normalize('NFKC').toUpperCase().replace(SEPARATORS, '');
}

export function canonicalPlate(text: string): CanonicalPlate {
  const plate = stripSeparators(text);
  const format = checkPlateFormat(plate);
  if (format.valid) return { plate, format, repairs: 0 };
  const chars = [...plate];
  let repairs = 0;
  const fixAt = (i: number, table: Record<string, string>) => {
    const to = table[chars[i]];
    if (to !== undefined && to !== chars[i]) { chars[i] = to; repairs++; }
  };
  if (chars.length >= 7 && !PROVINCES.includes(chars[0]) && !SPECIAL_PREFIXES.includes(chars[0]) && chars[0] !== 'W') fixAt(0, AS_PROVINCE);
  if (PROVINCES.includes(chars[0]) && chars.length >= 7) {
    fixAt(1, AS_LETTER);
    const end = SPECIAL_SUFFIXES.includes(chars[chars.length - 1]) ? chars.length - 1 : chars.length;
    for (let i = 2; i < end; i++) fixAt(i, IN_SERIAL);
  }
  const repaired = chars.join('');
  const repairedFormat = checkPlateFormat(repaired);
  if (repairedFormat.valid) return { plate: repaired, format: repairedFormat, repairs };
  // The plate's frame or a rivet right after the province is often read as a stroke (I, 1, |): drop it if
  // that alone makes the plate valid.
  if (chars.length >= 8 && PROVINCES.includes(chars[0]) && STROKES.includes(chars[1])) {
    const dropped = [chars[0], ...chars.slice(2)].join('');
    const droppedFormat = checkPlateFormat(dropped);
    if (droppedFormat.valid) return { plate: dropped, format: droppedFormat, repairs: repairs + 1, droppedIndex: 1 };
  }
  return { plate, format, repairs: 0 };
}

/**
 * Text that cannot be a misread plate: too short or too long, or Chinese characters in places where a plate
 * has none (a plate has at most one in front and a two-character suffix at the end). Signs, warnings on
 * trucks (危险品, 易燃), shop names and slogans end here and never reach the checkpoint.
 */
export function isNotAPlate(text: string): boolean {
  const plate = stripSeparators(text);
  const chars = [...plate];
  if (chars.length < 6 || chars.length > 10 || !/[0-9]/.test(plate)) return true;
  // What is left once the places a plate may hold Chinese characters are cut off: the province or a
  // prefix in front, a suffix at the end.
  const core = plate.replace(/^(?:WJ|民航)/, '').replace(/^\p{Script=Han}/u, '').replace(/(?:应急|\p{Script=Han})$/u, '');
  return /\p{Script=Han}/u.test(core);
}
