// Renders the synthetic plate crops in media/plates/synthetic/ (run: node --import tsx scripts/render-synthetic-plates.ts).
// They cover plate types no photo in media/ shows (double-layer, armed police, police, coach, embassy, a
// separator, a sign that is not a plate). Rendered with Noto Sans CJK (SIL OFL, Debian fonts-noto-cjk), then
// blurred, slightly rotated and JPEG-compressed so the reader does not see perfect vector glyphs. Synthetic
// crops are a floor, not a benchmark: real-scene accuracy is measured with `npm run eval` on real photos.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

const FONT = 'Noto Sans CJK SC';
const OUT = new URL('../media/plates/synthetic/', import.meta.url).pathname;

const em = (t: string) => [...t.replace(/<[^>]+>/g, '')].reduce((a, c) => a + (/\p{Script=Han}/u.test(c) ? 1 : c === '·' ? 0.4 : 0.62), 0);
const fit = (text: string, width: number, height: number) => Math.min(height, width / em(text));
const frame = (w: number, h: number, bg: string, fg: string) =>
  `<rect width="${w}" height="${h}" fill="${bg}" rx="12"/><rect x="6" y="6" width="${w - 12}" height="${h - 12}" fill="none" stroke="${fg}" stroke-width="4" rx="10"/>`;
const text = (x: number, y: number, size: number, fill: string, body: string) =>
  `<text x="${x}" y="${y}" font-family="${FONT}" font-size="${size}" font-weight="bold" fill="${fill}" text-anchor="middle">${body}</text>`;

function single(body: string, bg: string, fg: string, w = 440, h = 140, prefix?: { text: string; fill: string }): string {
  const inner = prefix
    ? text(w * 0.14, h * 0.74, fit(prefix.text, w * 0.18, h * 0.62), prefix.fill, prefix.text) + text(w * 0.62, h * 0.74, fit(body, w * 0.62, h * 0.62), fg, body)
    : text(w / 2, h * 0.74, fit(body, w - 50, h * 0.62), fg, body);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${frame(w, h, bg, fg)}${inner}</svg>`;
}

function double(top: string, bottom: string, bg: string, fg: string, w = 440, h = 220): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${frame(w, h, bg, fg)}`
    + `${text(w / 2, h * 0.33, fit(top, w * 0.5, h * 0.3), fg, top)}${text(w / 2, h * 0.9, fit(bottom, w - 40, h * 0.5), fg, bottom)}</svg>`;
}

/** file, SVG, label (plate text, or empty for not a plate), layers, note */
export const SYNTHETIC_PLATES: Array<[string, string, string, 1 | 2, string]> = [
  ['double_yellow_jingE12345.jpg', double('京 E', '12345', '#f2c200', '#111'), '京E12345', 2, 'double-layer yellow (large vehicle)'],
  ['double_yellow_luB6789gua.jpg', double('鲁 B', '6789挂', '#f2c200', '#111'), '鲁B6789挂', 2, 'double-layer yellow trailer'],
  ['armed_police_WJjing1234X.jpg', single('京·1234X', '#f4f4f4', '#111', 440, 140, { text: 'WJ', fill: '#c00' }), 'WJ京1234X', 1, 'armed police'],
  ['police_jingA1234jing.jpg', single('京A·1234<tspan fill="#c00">警</tspan>', '#f4f4f4', '#111'), '京A1234警', 1, 'police'],
  ['coach_chuanA1234xue.jpg', single('川A·1234学', '#f2c200', '#111'), '川A1234学', 1, 'coach (driving school)'],
  ['embassy_224001shi.jpg', single('224·001使', '#111', '#f4f4f4'), '224001使', 1, 'embassy (2018 style)'],
  ['green_huAF71017_dash.jpg', single('沪A-F71017', '#3fbf6a', '#111', 480), '沪AF71017', 1, 'new-energy with a dash read as separator'],
  ['sign_weixianpin.jpg', single('危险品', '#f2c200', '#111'), '', 1, 'dangerous-goods sign, not a plate'],
];

export async function renderSyntheticPlates(outDir = OUT): Promise<void> {
  const labels = ['file\tplate\tlayers\tnote'];
  for (const [file, svg, label, layers, note] of SYNTHETIC_PLATES) {
    const jpeg = await sharp(Buffer.from(svg)).flatten({ background: '#777' }).rotate(1.5, { background: '#777' })
      .resize({ width: 220 }).blur(0.6).jpeg({ quality: 70 }).toBuffer();
    await writeFile(join(outDir, file), jpeg);
    labels.push(`${file}\t${label}\t${layers}\t${note}`);
  }
  await writeFile(join(outDir, 'LABELS.tsv'), `${labels.join('\n')}\n`);
}

if (process.argv[1]?.endsWith('render-synthetic-plates.ts')) await renderSyntheticPlates();
