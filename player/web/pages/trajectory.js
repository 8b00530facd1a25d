import { api } from '../api.js';
import { el } from '../dom.js';
import { trajectoryPlot } from '../trajectory-plot.js';
import { embedTrajectoryMap } from '../map/trajectory-map.js';
import { colourBadge } from './checkpoint-common.js';
import { formatTime, table } from './workflow-common.js';

/** #/trajectory/<plate>[?from=&to=]: the plate's passes in time order with camera names and places, and a plot. */
export async function renderTrajectory(root, { args, query }) {
  const plate = args[0] ?? '';
  const params = new URLSearchParams({ plate });
  for (const name of ['from', 'to']) if (query.get(name)) params.set(name, query.get(name));
  const collection = await api(`/api/v1/checkpoint/trajectory?${params}`);
  const passes = collection.features.filter((f) => f.properties.passId !== undefined);
  const searchLink = `#/checkpoint?${new URLSearchParams({ mode: 'exact', plate })}`;
  root.append(el('div', { class: 'toolbar' },
    el('h1', {}, 'Trajectory of ', el('span', { class: 'plate-text', 'data-testid': 'trajectory-plate' }, plate)),
    el('a', { class: 'button', href: searchLink }, 'Passes of this plate'),
    el('button', { type: 'button', onclick: () => history.back() }, 'Back')));
  if (collection.truncated) root.append(el('div', { class: 'notice' }, 'Only the first 10,000 passes are shown; narrow the time range.'));
  if (passes.length === 0) {
    root.append(el('p', { class: 'muted', 'data-testid': 'trajectory-empty' }, 'No passes of this plate on cameras you may see.'));
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
    const where = f.geometry ? `${points[i].lat.toFixed(5)}, ${points[i].lon.toFixed(5)}` : 'no location';
    return el('tr', { 'data-testid': 'trajectory-row', 'data-camera-id': p.cameraId },
      el('td', {}, String(p.sequence + 1)),
      el('td', {}, formatTime(p.passedAt)),
      el('td', { 'data-testid': 'trajectory-camera' }, p.cameraName ?? p.cameraId),
      el('td', { class: 'muted' }, where),
      el('td', {}, colourBadge(p.plateColour)),
      el('td', { class: 'muted' }, [p.lane === null ? null : `lane ${p.lane}`, p.direction].filter(Boolean).join(' · ') || '—'));
  });
  const located = points.filter((p) => Number.isFinite(p.lat)).length;
  root.append(
    el('p', { class: 'muted' }, `${passes.length} passes, ${formatTime(passes[0].properties.passedAt)} – ${formatTime(passes.at(-1).properties.passedAt)}.`),
    el('div', { class: 'trajectory' },
      el('figure', { class: 'chart' }, trajectoryPlot(points),
        el('figcaption', { class: 'muted' }, located < passes.length ? `${passes.length - located} passes at cameras without a location are not plotted.` : 'Cameras by longitude and latitude, joined in time order.')),
      table(['#', 'Time', 'Camera', 'Location', 'Colour', 'Lane / direction'], rows, { 'data-testid': 'trajectory-table' })));
  // The same passes on the map (一张图), with their times.
  return located > 0 ? embedTrajectoryMap(root, plate, passes) : undefined;
}
