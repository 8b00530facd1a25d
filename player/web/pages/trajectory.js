import { api } from '../api.js';
import { el } from '../dom.js';
import { t } from '../i18n/i18n.js';
import { trajectoryPlot } from '../trajectory-plot.js';
import { embedTrajectoryMap } from '../map/trajectory-map.js';
import { colourBadge, vehicleText } from './checkpoint-common.js';
import { formatTime, table } from './workflow-common.js';

/** #/trajectory/<plate>[?from=&to=]: the plate's passes in time order with camera names and places, and a plot. */
export async function renderTrajectory(root, { args, query, signal }) {
  const plate = args[0] ?? '';
  const params = new URLSearchParams({ plate });
  for (const name of ['from', 'to']) if (query.get(name)) params.set(name, query.get(name));
  const collection = await api(`/api/v1/checkpoint/trajectory?${params}`, { signal });
  const passes = collection.features.filter((f) => f.properties.passId !== undefined);
  const searchLink = `#/checkpoint?${new URLSearchParams({ mode: 'exact', plate })}`;
  root.append(el('div', { class: 'toolbar' },
    el('h1', {}, t('checkpoint.trajectoryOf'), el('span', { class: 'plate-text', 'data-testid': 'trajectory-plate' }, plate)),
    el('a', { class: 'button', href: searchLink }, t('checkpoint.passesOfPlate')),
    el('button', { type: 'button', onclick: () => history.back() }, t('common.back'))));
  if (collection.truncated) root.append(el('div', { class: 'notice' }, t('checkpoint.truncated')));
  if (passes.length === 0) {
    root.append(el('p', { class: 'muted', 'data-testid': 'trajectory-empty' }, t('checkpoint.noTrajectory')));
    return;
  }
  const points = passes.map((f) => ({
    order: f.properties.sequence + 1,
    label: f.properties.cameraName ?? f.properties.cameraId,
    lon: f.geometry?.coordinates?.[0],
    lat: f.geometry?.coordinates?.[1],
  }));
  const rows = passes.map((f, i) => {
    const p = f.properties;
    const where = f.geometry ? `${points[i].lat.toFixed(5)}, ${points[i].lon.toFixed(5)}` : t('checkpoint.noLocation');
    return el('tr', { 'data-testid': 'trajectory-row', 'data-camera-id': p.cameraId },
      el('td', {}, String(p.sequence + 1)),
      el('td', {}, formatTime(p.passedAt)),
      el('td', { 'data-testid': 'trajectory-camera' }, p.cameraName ?? p.cameraId),
      el('td', { class: 'muted' }, where),
      el('td', {}, colourBadge(p.plateColour)),
      el('td', { class: 'muted' }, vehicleText({ lane: p.lane, direction: p.direction }) || '—'));
  });
  const located = points.filter((p) => Number.isFinite(p.lat)).length;
  root.append(
    el('p', { class: 'muted' }, t('checkpoint.trajectorySummary', { count: passes.length, from: formatTime(passes[0].properties.passedAt), to: formatTime(passes.at(-1).properties.passedAt) })),
    el('div', { class: 'trajectory' },
      el('figure', { class: 'chart' }, trajectoryPlot(points),
        el('figcaption', { class: 'muted' }, located < passes.length ? t('checkpoint.notPlotted', { count: passes.length - located }) : t('checkpoint.plotCaption'))),
      table(['#', t('checkpoint.colTime'), t('checkpoint.colCamera'), t('checkpoint.colLocation'), t('checkpoint.colColour'), t('checkpoint.colLane')], rows, { 'data-testid': 'trajectory-table' })));
  // The same passes on the map (一张图), with their times.
  return located > 0 ? embedTrajectoryMap(root, plate, passes) : undefined;
}
