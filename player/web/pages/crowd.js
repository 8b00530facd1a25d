import { playFromHere } from '../play-from-here.js';
import { api, auth } from '../api.js';
import { clear, el, noAccessMessage } from '../dom.js';
import { crowdChart } from './crowd-chart.js';
import { canEditZones, zonesSection } from './crowd-zones.js';
import { formatTime } from './workflow-common.js';

const RANGES = [['1h', 'last hour', 3_600_000], ['6h', '6 hours', 6 * 3_600_000], ['24h', '24 hours', 24 * 3_600_000]];
// The API does not push crowd samples or alerts to browsers, so the page polls; samples land every
// analytics.crowdSampleSeconds (10 s by default).
const REFRESH_MS = 5_000;
const WHOLE_FRAME = '_all';

/** #/crowd/<cameraId>?range=1h: latest counts, the count chart, zones (with an editor for those allowed) and crowd alerts. */
export async function renderCrowd(root, { args, query }) {
  if (!args[0]) return renderCrowdIndex(root);
  const cameraId = args[0];
  const camera = await api(`/api/v1/cameras/${encodeURIComponent(cameraId)}`);
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, 'Crowd · ', camera.name),
    camera.access.live ? el('a', { class: 'button', href: `#/live/${encodeURIComponent(cameraId)}` }, 'Live') : null));
  if (!camera.access.events) {
    root.append(noAccessMessage(camera, `Your department has no active grant with the analytics-events scope for "${camera.name}".`));
    return;
  }
  if (!camera.analyticsEnabled) root.append(el('p', { class: 'notice', 'data-testid': 'analytics-off' }, 'Analytics is switched off for this camera: no new counts arrive.'));
  const range = RANGES.find(([key]) => key === query.get('range')) ?? RANGES[0];
  root.append(el('div', { class: 'toolbar', 'data-testid': 'crowd-range' }, RANGES.map(([key, label]) => el('a', {
    class: key === range[0] ? 'button active' : 'button', 'data-range': key, href: `#/crowd/${encodeURIComponent(cameraId)}?range=${key}`,
  }, label))));
  const latest = el('div', { 'data-testid': 'crowd-latest' });
  const chart = el('div', { class: 'chart' });
  const alerts = el('section', {}, el('h2', {}, 'Crowd alerts'));
  const alertList = el('ul', { class: 'alerts', 'data-testid': 'crowd-alerts' });
  const zonesHolder = el('div');
  const status = el('p', { class: 'muted', 'data-testid': 'crowd-status' });
  alerts.append(alertList);
  root.append(latest, chart, status, zonesHolder, alerts);

  let names = new Map([[WHOLE_FRAME, 'whole picture']]);
  const showZones = (zones) => {
    names = new Map([[WHOLE_FRAME, 'whole picture'], ...zones.map((z) => [z.id, z.name])]);
    clear(zonesHolder).append(zonesSection(camera, zones, { editable: canEditZones(auth.user, camera), onSaved: showZones }));
  };
  const refresh = async () => {
    const to = Date.now() + 1;
    const data = await api(`/api/v1/analytics/cameras/${encodeURIComponent(cameraId)}/crowd?from=${to - range[2]}&to=${to}`);
    clear(latest).append(latestCounts(data.samples, names));
    clear(chart).append(crowdChart(data.samples, { from: data.from, to: data.to, names }));
    alertList.replaceChildren(...(data.alerts.length ? data.alerts.slice().reverse().map((a) => alertRow(a, names, cameraId)) : [el('li', { class: 'muted', 'data-testid': 'no-crowd-alerts' }, 'No crowd alerts in this range.')]));
    status.textContent = `${data.samples.length} samples${data.truncated ? ' (truncated)' : ''} · updated ${new Date().toLocaleTimeString()}`;
  };
  try {
    showZones((await api(`/api/v1/analytics/cameras/${encodeURIComponent(cameraId)}/zones`)).zones);
    await refresh();
  } catch (error) {
    clear(root).append(error.status === 403 ? noAccessMessage(camera, error.message) : el('div', { class: 'notice error' }, error.message));
    return;
  }
  const timer = setInterval(() => refresh().catch((error) => { status.textContent = `refresh failed: ${error.message}`; }), REFRESH_MS);
  return () => clearInterval(timer);
}

/** The newest count of each zone (whole picture first). */
function latestCounts(samples, names) {
  const newest = new Map();
  for (const s of samples) if ((newest.get(s.zoneId)?.at ?? -1) <= s.at) newest.set(s.zoneId, s);
  if (newest.size === 0) return el('p', { class: 'muted' }, 'No person counts in this range yet.');
  const order = [...newest.values()].sort((a, b) => (a.zoneId === WHOLE_FRAME ? -1 : b.zoneId === WHOLE_FRAME ? 1 : a.zoneId.localeCompare(b.zoneId)));
  return el('ul', { class: 'crowd-latest' }, order.map((s) => el('li', { 'data-testid': 'latest-count', 'data-zone': s.zoneId },
    el('strong', { class: 'count' }, s.count), ' ', names.get(s.zoneId) ?? s.zoneId, el('small', { class: 'muted' }, ` ${formatTime(s.at)}`))));
}

function alertRow(alert, names, cameraId) {
  const open = alert.endedAt === null;
  return el('li', { class: open ? 'unread' : 'read', 'data-testid': 'crowd-alert', 'data-alert-id': alert.id },
    el('span', { class: 'when' }, formatTime(alert.raisedAt)),
    el('span', { class: `badge state-${open ? 'emergency' : 'ended'}`, 'data-testid': 'crowd-alert-state' }, open ? 'open' : 'ended'),
    el('span', { class: 'message' }, `${names.get(alert.zoneId) ?? alert.zoneId}: above ${alert.threshold} since ${formatTime(alert.startedAt)}, peak ${alert.peakCount}`,
      open ? null : el('span', { class: 'muted' }, ` — ended ${formatTime(alert.endedAt)}`)),
    playFromHere(cameraId, alert.startedAt));
}

/** #/crowd: the cameras with analytics on whose counts this user may read. */
async function renderCrowdIndex(root) {
  const cameras = (await api('/api/v1/cameras')).filter((c) => c.analyticsEnabled);
  root.append(el('h1', {}, 'Crowd analytics'));
  if (cameras.length === 0) root.append(el('p', { class: 'muted' }, 'No camera has analytics switched on.'));
  root.append(el('ul', { class: 'camera-list', 'data-testid': 'crowd-cameras' }, cameras.map((c) => el('li', { class: 'camera', 'data-camera-id': c.id },
    el('span', { class: 'name' }, c.name), el('span', { class: 'muted' }, c.departmentName),
    c.access.events
      ? el('a', { class: 'button', href: `#/crowd/${encodeURIComponent(c.id)}`, 'data-testid': 'crowd-link' }, 'Counts')
      : el('span', { class: 'badge denied' }, 'no access')))));
}
