import { api, apiBlobUrl, auth } from '../api.js';
import { el } from '../dom.js';
import { terms } from '../terms.js';
import { formatDateTime, t } from '../i18n/i18n.js';
import { createCameraMap } from '../map/camera-map.js';
import { categoryName, statusName } from '../map/camera-markers.js';
import { ensureStylesheet } from '../map/leaflet-loader.js';

function facts(rows) {
  return el('dl', { class: 'facts' }, rows.filter(([, value]) => value !== null && value !== undefined && value !== '').flatMap(([label, value, testid]) => [el('dt', {}, label), el('dd', { 'data-testid': testid }, value)]));
}

/** #/camera/<id>: where the camera is, who owns it, its status history and who has access to it. */
export async function renderCameraDetail(root, { args, signal }) {
  ensureStylesheet('/player/catalogue/catalogue.css');
  const id = args[0];
  const camera = await api(`/api/v1/cameras/${encodeURIComponent(id)}`, { signal });
  const [history, access] = await Promise.all([
    api(`/api/v1/cameras/${encodeURIComponent(id)}/status-history?limit=20`, { signal }).catch(() => []),
    api(`/api/v1/cameras/${encodeURIComponent(id)}/access`, { signal }).catch(() => null),
  ]);
  const cleanups = [];
  const thumb = el('img', { class: 'detail-thumb', alt: t('catalogue.thumbnailOf', { name: camera.name }), 'data-testid': 'detail-thumbnail' });
  const place = camera.lat !== null && camera.lon !== null ? `${camera.lat.toFixed(5)}, ${camera.lon.toFixed(5)}` : t('catalogue.noPlace');
  const actions = el('div', { class: 'toolbar' },
    camera.access.live ? el('a', { class: 'button', href: `#/live/${encodeURIComponent(id)}`, 'data-testid': 'watch' }, t('catalogue.watch'))
      : el('a', { class: 'button', href: `#/request/${encodeURIComponent(id)}`, 'data-testid': 'request-access' }, t('catalogue.requestAccess')),
    camera.lat !== null ? el('a', { class: 'button', href: `#/map?camera=${encodeURIComponent(id)}` }, t('catalogue.onMap')) : null,
    el('a', { href: '#/cameras' }, t('catalogue.backToList')));
  const mapBox = el('div', { class: 'detail-map', 'data-testid': 'detail-map' });
  root.append(
    el('div', { class: 'toolbar' }, el('h1', { 'data-testid': 'detail-name' }, camera.name), el('span', { class: `badge status-${camera.status}`, 'data-testid': 'status' }, statusName(camera.status))),
    actions,
    el('div', { class: 'detail-grid' },
      el('section', { class: 'detail-facts' },
        facts([
          [t('catalogue.owner'), camera.departmentName, 'detail-owner'],
          [t('catalogue.category'), categoryName(camera.category)],
          [t('catalogue.address'), camera.address],
          [t('catalogue.location'), place, 'detail-location'],
          [t('catalogue.nationalId'), camera.nationalId, 'detail-national-id'],
          [t('catalogue.lastSeen'), camera.lastSeenAt ? formatDateTime(camera.lastSeenAt) : null],
          [t('catalogue.ptz'), camera.ptz ? t('catalogue.yes') : t('catalogue.no')],
          [t('catalogue.analytics'), camera.analyticsEnabled ? t('catalogue.yes') : t('catalogue.no')],
        ]),
        camera.access.snapshot ? thumb : el('p', { class: 'muted' }, t('catalogue.noSnapshotAccess'))),
      camera.lat !== null ? mapBox : null),
    el('section', {}, el('h2', {}, t('catalogue.statusHistory')),
      history.length === 0 ? el('p', { class: 'muted' }, t('catalogue.noHistory'))
        : el('table', { class: 'table', 'data-testid': 'status-history' }, el('thead', {}, el('tr', {}, el('th', {}, t('catalogue.when')), el('th', {}, t('catalogue.status')), el('th', {}, t('catalogue.before')), el('th', {}, t('catalogue.reason')))),
          el('tbody', {}, history.map((h) => el('tr', {}, el('td', {}, formatDateTime(h.at)), el('td', {}, statusName(h.status)), el('td', {}, statusName(h.previous)), el('td', { class: 'muted' }, h.reason ?? '')))))),
    el('section', { 'data-testid': 'detail-access' }, el('h2', {}, t('catalogue.whoHasAccess')),
      access === null ? el('p', { class: 'muted' }, t('catalogue.accessUnknown')) : accessList(access, auth.user)));
  if (camera.access.snapshot) {
    apiBlobUrl(`/api/v1/cameras/${encodeURIComponent(id)}/thumbnail`).then((url) => { thumb.src = url; cleanups.push(() => URL.revokeObjectURL(url)); }).catch(() => thumb.classList.add('failed'));
  }
  if (camera.lat !== null) {
    const view = await createCameraMap(mapBox, { popup: () => el('strong', {}, camera.name) });
    view.setCameras([camera]);
    view.map.setView([camera.lat, camera.lon], 16);
    cleanups.push(() => view.destroy());
  }
  return () => { for (const cleanup of cleanups) cleanup(); };
}

function accessList(access, user) {
  const rows = [el('li', {}, el('strong', {}, access.ownerDepartmentName), ` · ${t('catalogue.ownerAccess')}`)];
  for (const grant of access.grants) {
    rows.push(el('li', { 'data-testid': 'access-grant' }, el('strong', {}, grant.granteeDepartmentName),
      ` · ${terms('scope', grant.scopes)} · ${t('catalogue.until', { time: formatDateTime(grant.endsAt) })}`,
      grant.emergency ? el('span', { class: 'badge denied' }, t('catalogue.emergency')) : null));
  }
  return el('div', {}, el('ul', { class: 'access-list' }, rows),
    access.complete ? null : el('p', { class: 'muted' }, t('catalogue.accessOwnOnly', { department: user?.departmentName ?? '' })));
}
