import { api, apiBlobUrl } from '../api.js';
import { svg } from '../charts.js';
import { el } from '../dom.js';
import { errorText } from '../errors.js';
import { t } from '../i18n/i18n.js';

/** Who may PUT zones: the route allows admin and approver, and approvers only for their own department's cameras. */
export const canEditZones = (user, camera) => user.role === 'admin' || (user.role === 'approver' && user.departmentId === camera.departmentId);

const polygonText = (polygon) => polygon.map((p) => `(${p.x.toFixed(2)}, ${p.y.toFixed(2)})`).join(' ');

/**
 * The camera's zones as a list; for editors also a remove button per zone and a drawing board: click points on
 * the current snapshot (fetched with the bearer token), name the zone, set threshold and seconds, save.
 * Polygons are normalised 0..1 picture coordinates, as the API stores them. onSaved(zones) after every PUT.
 */
export function zonesSection(camera, zones, { editable, onSaved }) {
  const path = `/api/v1/analytics/cameras/${encodeURIComponent(camera.id)}/zones`;
  const result = el('p', { class: 'form-error', 'data-testid': 'zone-result' });
  const save = async (next) => {
    try {
      const saved = await api(path, { method: 'PUT', body: { zones: next } });
      result.textContent = '';
      onSaved(saved.zones);
    } catch (error) { result.textContent = errorText(error); }
  };
  const rows = zones.map((zone) => el('tr', { 'data-testid': 'zone-row', 'data-zone-id': zone.id },
    el('td', { 'data-testid': 'zone-name' }, zone.name),
    el('td', {}, zone.threshold, zone.densityThreshold ? el('small', { class: 'muted', 'data-testid': 'zone-density' }, ` ${t('crowd.densityRule', { density: zone.densityThreshold, area: zone.areaSquareMetres })}`) : null),
    el('td', {}, t('crowd.seconds', { seconds: zone.durationSeconds })),
    el('td', { class: 'muted' }, polygonText(zone.polygon)),
    editable ? el('td', {}, el('button', { type: 'button', 'data-testid': 'zone-remove', onclick: () => save(zones.filter((z) => z.id !== zone.id)) }, t('crowd.remove'))) : null));
  const table = zones.length
    ? el('table', { class: 'grid', 'data-testid': 'zones' },
      el('thead', {}, el('tr', {}, [t('crowd.colZone'), t('crowd.colThreshold'), t('crowd.colDuration'), t('crowd.colPolygon')].map((h) => el('th', {}, h)), editable ? el('th', {}) : null)),
      el('tbody', {}, rows))
    : el('p', { class: 'muted', 'data-testid': 'no-zones' }, t('crowd.noZones'));
  return el('section', { class: 'crowd-zones' }, el('h2', {}, t('crowd.zones')), table,
    editable ? zoneEditor(camera, zones, (zone) => save([...zones, zone])) : null, result);
}

function zoneEditor(camera, zones, onAdd) {
  const points = [];
  const image = el('img', { class: 'zone-snapshot', alt: t('crowd.snapshot'), 'data-testid': 'zone-snapshot' });
  const overlay = svg('svg', { class: 'zone-overlay', viewBox: '0 0 1 1', preserveAspectRatio: 'none', 'data-testid': 'zone-overlay' });
  const shape = svg('polygon', { class: 'zone-shape', points: '' });
  // Zones already saved, drawn faintly so a new one can be placed beside them.
  for (const zone of zones) overlay.append(svg('polygon', { class: 'zone-existing', points: zone.polygon.map((p) => `${p.x},${p.y}`).join(' ') }));
  overlay.append(shape);
  const hint = el('span', { class: 'muted', 'data-testid': 'zone-points' }, t('crowd.points', { count: 0 }));
  const name = el('input', { placeholder: t('crowd.zoneName'), maxlength: 200, 'data-testid': 'zone-name-input', 'aria-label': t('crowd.zoneName') });
  const threshold = el('input', { type: 'number', min: 0, value: 10, 'data-testid': 'zone-threshold', 'aria-label': t('crowd.colThreshold') });
  const seconds = el('input', { type: 'number', min: 0, value: 30, 'data-testid': 'zone-seconds', 'aria-label': t('crowd.secondsAbove') });
  // Optional calibration: the zone's real ground area, for alerts on people per square metre.
  const area = el('input', { type: 'number', min: 0, step: 'any', placeholder: t('crowd.areaPlaceholder'), 'data-testid': 'zone-area', 'aria-label': t('crowd.areaLabel') });
  const perSquareMetre = el('input', { type: 'number', min: 0, step: 'any', placeholder: t('crowd.densityPlaceholder'), 'data-testid': 'zone-density-threshold', 'aria-label': t('crowd.densityThresholdLabel') });
  const error = el('span', { class: 'form-error' });
  const redraw = () => {
    shape.setAttribute('points', points.map((p) => `${p.x},${p.y}`).join(' '));
    hint.textContent = t('crowd.points', { count: points.length });
  };
  const board = el('div', {
    class: 'zone-board', 'data-testid': 'zone-board',
    onclick: (event) => {
      const box = image.getBoundingClientRect();
      if (!image.naturalWidth || box.width === 0) return;
      const unit = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10_000) / 10_000;
      points.push({ x: unit((event.clientX - box.left) / box.width), y: unit((event.clientY - box.top) / box.height) });
      redraw();
    },
  }, image, overlay);
  const add = () => {
    if (points.length < 3) { error.textContent = t('crowd.need3'); return; }
    if (!name.value.trim()) { error.textContent = t('crowd.needName'); return; }
    const areaValue = Number(area.value) > 0 ? Number(area.value) : null;
    const densityValue = Number(perSquareMetre.value) > 0 ? Number(perSquareMetre.value) : null;
    if (densityValue !== null && areaValue === null) { error.textContent = t('crowd.needArea'); return; }
    error.textContent = '';
    onAdd({
      id: `z${Date.now().toString(36)}`, name: name.value.trim(), polygon: [...points],
      threshold: Number(threshold.value) || 0, durationSeconds: Number(seconds.value) || 0,
      ...(areaValue === null ? {} : { areaSquareMetres: areaValue }), ...(densityValue === null ? {} : { densityThreshold: densityValue }),
    });
  };
  const loadSnapshot = async () => {
    try {
      const previous = image.src;
      image.src = await apiBlobUrl(`/api/v1/cameras/${encodeURIComponent(camera.id)}/snapshot?width=640`);
      image.dataset.loaded = 'true';
      if (previous.startsWith('blob:')) URL.revokeObjectURL(previous);
    } catch (e) { error.textContent = t('crowd.snapshotFailed', { error: errorText(e) }); }
  };
  loadSnapshot();
  return el('div', { class: 'zone-editor', 'data-testid': 'zone-editor' },
    el('h3', {}, t('crowd.newZone')), el('p', { class: 'muted' }, t('crowd.clickCorners')), board,
    el('div', { class: 'toolbar' }, hint,
      el('button', { type: 'button', 'data-testid': 'zone-undo', onclick: () => { points.pop(); redraw(); } }, t('crowd.undo')),
      el('button', { type: 'button', onclick: loadSnapshot }, t('crowd.newSnapshot'))),
    el('div', { class: 'inline-form' }, name, el('label', {}, t('crowd.thresholdLabel'), threshold), el('label', {}, t('crowd.secondsLabel'), seconds),
      el('label', {}, t('crowd.areaLabel'), area), el('label', {}, t('crowd.densityThresholdLabel'), perSquareMetre),
      el('button', { type: 'button', class: 'primary', 'data-testid': 'zone-save', onclick: add }, t('crowd.save'))), error);
}
