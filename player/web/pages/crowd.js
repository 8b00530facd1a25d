import { playFromHere } from '../play-from-here.js';
import { api, auth } from '../api.js';
import { clear, el, noAccessMessage } from '../dom.js';
import { errorText } from '../errors.js';
import { formatClock, t } from '../i18n/i18n.js';
import { crowdChart } from './crowd-chart.js';
import { densityPanel } from './crowd-density.js';
import { canEditZones, zonesSection } from './crowd-zones.js';
import { formatTime } from './workflow-common.js';

const RANGES = [['1h', 3_600_000], ['6h', 6 * 3_600_000], ['24h', 24 * 3_600_000]];
// The API does not push crowd samples or alerts to browsers, so the page polls; samples land every
// analytics.crowdSampleSeconds (10 s by default).
const REFRESH_MS = 5_000;
const WHOLE_FRAME = '_all';

/** #/crowd/<cameraId>?range=1h: latest counts, the count chart, zones (with an editor for those allowed) and crowd alerts. */
export async function renderCrowd(root, { args, query, signal }) {
  if (!args[0]) return renderCrowdIndex(root, signal);
  const cameraId = args[0];
  const camera = await api(`/api/v1/cameras/${encodeURIComponent(cameraId)}`, { signal });
  root.append(el('div', { class: 'toolbar' }, el('h1', {}, t('crowd.titleOf', { camera: camera.name })),
    camera.access.live ? el('a', { class: 'button', href: `#/live/${encodeURIComponent(cameraId)}` }, t('crowd.live')) : null));
  if (!camera.access.events) {
    root.append(noAccessMessage(camera, t('crowd.noEventsScope', { camera: camera.name })));
    return;
  }
  if (!camera.analyticsEnabled) root.append(el('p', { class: 'notice', 'data-testid': 'analytics-off' }, t('crowd.analyticsOff')));
  const range = RANGES.find(([key]) => key === query.get('range')) ?? RANGES[0];
  root.append(el('div', { class: 'toolbar', 'data-testid': 'crowd-range' }, RANGES.map(([key]) => el('a', {
    class: key === range[0] ? 'button active' : 'button', 'data-range': key, href: `#/crowd/${encodeURIComponent(cameraId)}?range=${key}`,
  }, t(`crowd.range_${key}`)))));
  const latest = el('div', { 'data-testid': 'crowd-latest' });
  const chart = el('div', { class: 'chart' });
  const alerts = el('section', {}, el('h2', {}, t('crowd.alerts')));
  const alertList = el('ul', { class: 'alerts', 'data-testid': 'crowd-alerts' });
  const zonesHolder = el('div');
  const status = el('p', { class: 'muted', 'data-testid': 'crowd-status' });
  alerts.append(alertList);
  let density;
  const densityHolder = el('div');
  root.append(latest, densityHolder, chart, status, zonesHolder, alerts);

  let names = new Map([[WHOLE_FRAME, t('crowd.wholePicture')]]);
  const showZones = (zones) => {
    names = new Map([[WHOLE_FRAME, t('crowd.wholePicture')], ...zones.map((z) => [z.id, z.name])]);
    clear(zonesHolder).append(zonesSection(camera, zones, { editable: canEditZones(auth.user, camera), onSaved: showZones }));
    density = densityPanel(camera, names, { signal });
    clear(densityHolder).append(density.node);
  };
  const refresh = async () => {
    const to = Date.now() + 1;
    const data = await api(`/api/v1/analytics/cameras/${encodeURIComponent(cameraId)}/crowd?from=${to - range[1]}&to=${to}`, { signal });
    clear(latest).append(latestCounts(data.samples, names));
    clear(chart).append(crowdChart(data.samples, { from: data.from, to: data.to, names }));
    alertList.replaceChildren(...(data.alerts.length ? data.alerts.slice().reverse().map((a) => alertRow(a, names, cameraId)) : [el('li', { class: 'muted', 'data-testid': 'no-crowd-alerts' }, t('crowd.noAlerts'))]));
    status.textContent = t(data.truncated ? 'crowd.statusTruncated' : 'crowd.status', { count: data.samples.length, at: formatClock(Date.now(), { seconds: true }) });
    await density?.refresh();
  };
  try {
    showZones((await api(`/api/v1/analytics/cameras/${encodeURIComponent(cameraId)}/zones`, { signal })).zones);
    await refresh();
  } catch (error) {
    if (error?.name === 'AbortError') return;
    clear(root).append(error.status === 403 ? noAccessMessage(camera, errorText(error)) : el('div', { class: 'notice error' }, errorText(error)));
    return;
  }
  const timer = setInterval(() => refresh().catch((error) => { status.textContent = t('crowd.refreshFailed', { error: errorText(error) }); }), REFRESH_MS);
  return () => clearInterval(timer);
}

/** The newest count of each zone (whole picture first). */
function latestCounts(samples, names) {
  const newest = new Map();
  for (const s of samples) if ((newest.get(s.zoneId)?.at ?? -1) <= s.at) newest.set(s.zoneId, s);
  if (newest.size === 0) return el('p', { class: 'muted' }, t('crowd.noCounts'));
  const order = [...newest.values()].sort((a, b) => (a.zoneId === WHOLE_FRAME ? -1 : b.zoneId === WHOLE_FRAME ? 1 : a.zoneId.localeCompare(b.zoneId)));
  return el('ul', { class: 'crowd-latest' }, order.map((s) => el('li', { 'data-testid': 'latest-count', 'data-zone': s.zoneId },
    el('strong', { class: 'count' }, s.count), ' ', names.get(s.zoneId) ?? s.zoneId, el('small', { class: 'muted' }, ` ${formatTime(s.at)}`))));
}

function alertRow(alert, names, cameraId) {
  const open = alert.endedAt === null;
  return el('li', { class: open ? 'unread' : 'read', 'data-testid': 'crowd-alert', 'data-alert-id': alert.id },
    el('span', { class: 'when' }, formatTime(alert.raisedAt)),
    el('span', { class: `badge state-${open ? 'emergency' : 'ended'}`, 'data-testid': 'crowd-alert-state', 'data-state': open ? 'open' : 'ended' }, t(open ? 'crowd.alertOpen' : 'crowd.alertEnded')),
    el('span', { class: 'message' }, t('crowd.alertText', { zone: names.get(alert.zoneId) ?? alert.zoneId, threshold: alert.threshold, since: formatTime(alert.startedAt), peak: alert.peakCount }),
      open ? null : el('span', { class: 'muted' }, t('crowd.endedAt', { at: formatTime(alert.endedAt) }))),
    playFromHere(cameraId, alert.startedAt));
}

/** #/crowd: the cameras with analytics on whose counts this user may read. */
async function renderCrowdIndex(root, signal) {
  const cameras = (await api('/api/v1/cameras', { signal })).filter((c) => c.analyticsEnabled);
  root.append(el('h1', {}, t('crowd.title')));
  if (cameras.length === 0) root.append(el('p', { class: 'muted' }, t('crowd.noCameras')));
  root.append(el('ul', { class: 'camera-list', 'data-testid': 'crowd-cameras' }, cameras.map((c) => el('li', { class: 'camera', 'data-camera-id': c.id },
    el('span', { class: 'name' }, c.name), el('span', { class: 'muted' }, c.departmentName),
    c.access.events
      ? el('a', { class: 'button', href: `#/crowd/${encodeURIComponent(c.id)}`, 'data-testid': 'crowd-link' }, t('crowd.counts'))
      : el('span', { class: 'badge denied' }, t('crowd.noAccess'))))));
}
