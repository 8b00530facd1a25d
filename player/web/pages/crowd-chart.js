import { svg } from '../charts.js';
import { formatClock, t } from '../i18n/i18n.js';

// The crowd time series as an inline SVG: one polyline per zone over the chosen range, counts scaled to the peak.
const WIDTH = 640;
const HEIGHT = 200;
const PAD = { left: 36, right: 12, top: 12, bottom: 24 };
const COLOURS = ['#4a8cff', '#ffb347', '#5fd38d', '#ff6b8a', '#c78cff', '#4dd0e1'];

/** samples [{ zoneId, at, count }] grouped by zone; names maps zone id → label. */
export function crowdChart(samples, { from, to, names }) {
  const byZone = new Map();
  for (const s of samples) {
    const list = byZone.get(s.zoneId) ?? [];
    byZone.set(s.zoneId, list);
    list.push(s);
  }
  const peak = Math.max(1, ...samples.map((s) => s.count));
  const x = (at) => PAD.left + ((at - from) / Math.max(1, to - from)) * (WIDTH - PAD.left - PAD.right);
  const y = (count) => HEIGHT - PAD.bottom - (count / peak) * (HEIGHT - PAD.top - PAD.bottom);
  const chart = svg('svg', {
    class: 'crowd-chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: '100%', role: 'img',
    'aria-label': t('crowd.chartLabel'), 'data-testid': 'crowd-chart', 'data-samples': samples.length,
  },
  svg('line', { x1: PAD.left, y1: y(0), x2: WIDTH - PAD.right, y2: y(0), class: 'axis' }),
  svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: y(0), class: 'axis' }),
  svg('text', { x: PAD.left - 4, y: PAD.top + 8, 'text-anchor': 'end', class: 'tick' }, peak),
  svg('text', { x: PAD.left - 4, y: y(0), 'text-anchor': 'end', class: 'tick' }, 0),
  svg('text', { x: PAD.left, y: HEIGHT - 6, class: 'tick' }, clock(from)),
  svg('text', { x: WIDTH - PAD.right, y: HEIGHT - 6, 'text-anchor': 'end', class: 'tick' }, clock(to)));
  [...byZone.entries()].forEach(([zoneId, list], i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = list.map((s) => `${x(s.at).toFixed(1)},${y(s.count).toFixed(1)}`).join(' ');
    const group = svg('g', { class: 'crowd-series', 'data-zone': zoneId, 'data-points': list.length },
      svg('title', {}, names.get(zoneId) ?? zoneId));
    // A lone sample draws no line, so every sample also gets a small dot.
    if (list.length > 1) group.append(svg('polyline', { points, fill: 'none', stroke: colour, 'stroke-width': 2 }));
    if (list.length <= 300) for (const s of list) group.append(svg('circle', { cx: x(s.at), cy: y(s.count), r: 2, fill: colour }));
    chart.append(group);
  });
  if (samples.length === 0) chart.append(svg('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'tick' }, t('crowd.noSamples')));
  return chart;
}

const clock = (ms) => formatClock(ms);
