import { t } from './i18n/i18n.js';

// Small SVG charts built with DOM calls (no markup strings, no libraries): a share ring and horizontal bars.
const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/** A ring showing `fraction` (0..1) with the percentage in the middle and a caption under it. */
export function shareRing(fraction, caption, detail) {
  const safe = Number.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) : 0;
  const radius = 40;
  const length = 2 * Math.PI * radius;
  const figure = document.createElement('figure');
  figure.className = 'chart ring';
  figure.append(svg('svg', { viewBox: '0 0 100 100', width: 120, height: 120, role: 'img', 'aria-label': `${caption}: ${Math.round(safe * 100)}%` },
    svg('circle', { cx: 50, cy: 50, r: radius, class: 'ring-track' }),
    svg('circle', { cx: 50, cy: 50, r: radius, class: 'ring-value', 'stroke-dasharray': `${safe * length} ${length}`, transform: 'rotate(-90 50 50)' }),
    svg('text', { x: 50, y: 55, 'text-anchor': 'middle', class: 'ring-label' }, `${Math.round(safe * 100)}%`)));
  const text = document.createElement('figcaption');
  text.append(document.createTextNode(caption));
  if (detail) {
    const small = document.createElement('small');
    small.textContent = detail;
    text.append(document.createElement('br'), small);
  }
  figure.append(text);
  return figure;
}

/** Horizontal bars: rows [{ label, value, note? }], scaled to the largest value. */
export function barChart(title, rows, { unit = '' } = {}) {
  const figure = document.createElement('figure');
  figure.className = 'chart bars';
  const heading = document.createElement('figcaption');
  heading.textContent = title;
  figure.append(heading);
  if (rows.length === 0) {
    const none = document.createElement('p');
    none.className = 'muted';
    none.textContent = t('common.none');
    figure.append(none);
    return figure;
  }
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowHeight = 22;
  const labelWidth = 170;
  const barWidth = 220;
  const chart = svg('svg', { viewBox: `0 0 ${labelWidth + barWidth + 120} ${rows.length * rowHeight}`, width: '100%', role: 'img', 'aria-label': title });
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    chart.append(
      svg('text', { x: 0, y: y + 15, class: 'bar-label' }, row.label.length > 24 ? `${row.label.slice(0, 23)}…` : row.label),
      svg('rect', { x: labelWidth, y: y + 4, width: Math.max(2, (row.value / max) * barWidth), height: rowHeight - 8, class: 'bar' }),
      svg('text', { x: labelWidth + (row.value / max) * barWidth + 6, y: y + 15, class: 'bar-value' }, `${row.value}${unit}${row.note ? ` · ${row.note}` : ''}`),
    );
  });
  figure.append(chart);
  return figure;
}
