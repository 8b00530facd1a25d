import { api, auth } from '../api.js';
import { el } from '../dom.js';
import { openEventStream } from '../event-stream.js';
import { formatClock, formatNumber, t } from '../i18n/i18n.js';
import { AreaDraw, insidePolygon } from '../map/area-draw.js';
import { createCameraMap } from '../map/camera-map.js';
import { categoryName, statusName } from '../map/camera-markers.js';
import { loadTrajectory } from '../map/trajectory-points.js';
import { accessRequestForm, targetsByOwner } from './access-request-form.js';

const PAGE = 5000;

/** Every camera the catalogue lists (the map shows all departments'), page by page. */
export async function allCameras(filters = new URLSearchParams(), signal = undefined) {
  const cameras = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await api(`/api/v1/cameras/search?${new URLSearchParams([...filters, ['offset', offset], ['limit', PAGE]])}`, { signal });
    cameras.push(...page.items);
    if (cameras.length >= page.total || page.items.length === 0) return cameras;
  }
}

function cameraPopup(camera) {
  const live = camera.access.live;
  return el('div', { class: 'map-popup', 'data-testid': 'map-popup', 'data-camera-id': camera.id },
    el('strong', {}, camera.name),
    el('div', { class: 'muted' }, `${camera.departmentName} · ${categoryName(camera.category)}`),
    el('div', {}, el('span', { class: `badge status-${camera.status}` }, statusName(camera.status)), camera.address ? ` ${camera.address}` : ''),
    el('div', { class: 'toolbar' },
      live ? el('a', { class: 'button', href: `#/live/${encodeURIComponent(camera.id)}`, 'data-testid': 'map-watch' }, t('map.watch'))
        : el('a', { class: 'button', href: `#/request/${encodeURIComponent(camera.id)}`, 'data-testid': 'map-request' }, t('map.requestAccess')),
      el('a', { href: `#/camera/${encodeURIComponent(camera.id)}`, 'data-testid': 'map-details' }, t('map.details'))));
}

/**
 * #/map[?plate=&from=&to=][&camera=]: 一张图. Cameras of every department, coloured by status, clustered when
 * zoomed out; draw a rectangle (one area request per owner department) or a polygon (one request for the
 * cameras inside, per owner department); a plate's trajectory; checkpoint alerts flash on their camera.
 */
export async function renderMap(root, { query, signal }) {
  const user = auth.user;
  const cleanups = [];
  const status = el('span', { class: 'muted', 'data-testid': 'map-count' });
  const panel = el('aside', { class: 'map-panel', hidden: true, 'data-testid': 'map-panel' });
  const alerts = el('ul', { class: 'map-alerts', 'data-testid': 'map-alerts' });
  const container = el('div', { class: 'camera-map', 'data-testid': 'camera-map' });
  const drawButtons = {
    rectangle: el('button', { type: 'button', 'data-testid': 'draw-rectangle', onclick: () => startDraw('rectangle') }, t('map.drawRectangle')),
    polygon: el('button', { type: 'button', 'data-testid': 'draw-polygon', onclick: () => startDraw('polygon') }, t('map.drawPolygon')),
  };
  const cancelDraw = el('button', { type: 'button', hidden: true, 'data-testid': 'draw-cancel', onclick: () => stopDraw() }, t('map.drawCancel'));
  const hint = el('span', { class: 'map-hint muted', 'data-testid': 'draw-hint' });
  // The catalogue of what the map shows now (its area as the search's box).
  const listView = el('a', { class: 'button', href: '#/cameras', 'data-testid': 'map-list-view' }, t('map.listView'));
  const statusFilter = el('select', { 'data-testid': 'map-status-filter', 'aria-label': t('map.filterStatus') },
    el('option', { value: '' }, t('map.allStatuses')), ['online', 'offline', 'auth_failed', 'unknown'].map((s) => el('option', { value: s }, statusName(s))));
  const categoryFilter = el('select', { 'data-testid': 'map-category-filter', 'aria-label': t('map.filterCategory') },
    el('option', { value: '' }, t('map.allCategories')), ['public_security', 'traffic', 'community', 'other'].map((c) => el('option', { value: c }, categoryName(c))));
  root.append(
    // Administrators see every camera already and auditors watch none: neither asks for access.
    el('div', { class: 'toolbar map-toolbar' }, el('h1', {}, t('map.title')), statusFilter, categoryFilter,
      ['admin', 'auditor'].includes(user.role) ? null : [drawButtons.rectangle, drawButtons.polygon, cancelDraw], listView, status),
    hint,
    el('div', { class: 'map-layout' }, container, panel),
    el('div', { class: 'map-legend muted' }, ['online', 'offline', 'auth_failed', 'unknown'].map((s) => el('span', { class: `legend-dot cam-${s}` }, statusName(s))),
      el('span', { class: 'legend-dot cam-denied' }, t('map.noAccessRing'))),
    alerts);

  const view = await createCameraMap(container, { popup: cameraPopup });
  cleanups.push(() => view.destroy());
  let cameras = [];
  const load = async (fit) => {
    const filters = new URLSearchParams();
    if (statusFilter.value) filters.set('status', statusFilter.value);
    if (categoryFilter.value) filters.set('category', categoryFilter.value);
    cameras = await allCameras(filters, signal);
    const placed = view.setCameras(cameras, { fit });
    status.textContent = t('map.count', { placed: formatNumber(placed), total: formatNumber(cameras.length) });
    container.dataset.cameras = String(placed);
  };
  await load(!query.get('plate') && !query.get('camera'));
  statusFilter.addEventListener('change', () => load(false));
  categoryFilter.addEventListener('change', () => load(false));

  if (query.get('camera')) view.focus(query.get('camera'));
  const followView = () => {
    const b = view.map.getBounds();
    const round = (n) => n.toFixed(5);
    listView.setAttribute('href', `#/cameras?${new URLSearchParams({ minLat: round(b.getSouth()), minLon: round(b.getWest()), maxLat: round(b.getNorth()), maxLon: round(b.getEast()) })}`);
  };
  view.map.on('moveend', followView);
  followView();

  const draw = new AreaDraw(view.L, view.map, (shape) => onShape(shape));
  function startDraw(mode) {
    draw.start(mode);
    container.dataset.drawing = mode;
    cancelDraw.hidden = false;
    hint.textContent = t(mode === 'rectangle' ? 'map.hintRectangle' : 'map.hintPolygon');
  }
  function stopDraw() {
    draw.cancel();
    delete container.dataset.drawing;
    cancelDraw.hidden = true;
    hint.textContent = '';
  }
  function closePanel() {
    panel.hidden = true;
    panel.replaceChildren();
    draw.clear();
    view.map.invalidateSize();
  }
  function onShape(shape) {
    delete container.dataset.drawing;
    cancelDraw.hidden = true;
    hint.textContent = '';
    const inside = cameras.filter((c) => Number.isFinite(c.lat) && (shape.kind === 'rectangle'
      ? c.lat >= shape.box.minLat && c.lat <= shape.box.maxLat && c.lon >= shape.box.minLon && c.lon <= shape.box.maxLon
      : insidePolygon([c.lat, c.lon], shape.points)));
    // A rectangle asks for the area (cameras added there later are covered too); a polygon, for the cameras inside it.
    const targets = targetsByOwner(inside, user, shape.kind === 'rectangle' ? 'area' : 'cameras', shape.box);
    panel.replaceChildren(
      el('p', { 'data-testid': 'area-summary' }, t('map.areaSummary', { count: formatNumber(inside.length), mine: formatNumber(inside.filter((c) => c.departmentId === user.departmentId).length) })),
      accessRequestForm(targets, { title: t(shape.kind === 'rectangle' ? 'map.requestArea' : 'map.requestPolygon'), onCancel: closePanel }));
    panel.hidden = false;
    view.map.invalidateSize();
  }

  const plate = query.get('plate');
  if (plate) {
    const points = await loadTrajectory(plate, { from: query.get('from'), to: query.get('to') });
    const shown = view.showTrajectory(points);
    panel.hidden = false;
    panel.replaceChildren(...[el('h2', {}, t('map.trajectoryOf', { plate })),
      el('ol', { class: 'trajectory-list', 'data-testid': 'map-trajectory' }, points.map((p) => el('li', {}, `${formatClock(p.passedAt, { seconds: true })} ${p.label}`))),
      shown < points.length ? el('p', { class: 'muted' }, t('map.trajectoryUnplaced', { count: points.length - shown })) : null].filter(Boolean));
    view.map.invalidateSize();
  }

  // Status changes recolour their marker; checkpoint alerts flash theirs.
  cleanups.push(openEventStream('/api/v1/cameras/status/stream', {
    onEvent: (name, data) => {
      if (name !== 'status') return;
      const camera = cameras.find((c) => c.id === data.cameraId);
      if (!camera) return;
      camera.status = data.status;
      view.updateCamera(camera);
    },
  }));
  if (user.role !== 'auditor') {
    cleanups.push(openEventStream('/api/v1/checkpoint/alerts/stream', {
      onEvent: (name, alert) => {
        if (name !== 'alert') return;
        const flashed = view.flash(alert.cameraId);
        const camera = cameras.find((c) => c.id === alert.cameraId);
        alerts.prepend(el('li', { 'data-testid': 'map-alert', 'data-camera-id': alert.cameraId, class: flashed ? 'flashed' : '' },
          `${formatClock(alert.passedAt, { seconds: true })} ${alert.plate} · ${camera?.name ?? ''}`));
        while (alerts.children.length > 5) alerts.lastChild.remove();
      },
    }));
  }
  return () => { for (const cleanup of cleanups.reverse()) cleanup(); };
}
