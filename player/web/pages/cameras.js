import { api } from '../api.js';
import { el } from '../dom.js';
import { formatNumber, t } from '../i18n/i18n.js';
import { ThumbnailQueue } from '../catalogue/thumbnail-queue.js';
import { categoryName, statusName } from '../map/camera-markers.js';
import { ensureStylesheet } from '../map/leaflet-loader.js';

const PAGE_SIZE = 50;
const CATEGORIES = ['public_security', 'traffic', 'community', 'other'];
const STATUSES = ['online', 'offline', 'auth_failed', 'unknown'];
/** Selection survives paging and filtering within the tab (the wall and the request form read it from the URL). */
const selection = new Map();

function select(testid, label, options, value) {
  return el('select', { 'data-testid': testid, 'aria-label': label },
    options.map(([v, text]) => el('option', { value: v, selected: v === value || undefined }, text)));
}

/**
 * #/cameras[?q=&departmentId=&category=&status=&page=]: the catalogue for thousands of cameras. Search and
 * filters run on the server, a page of 50 at a time, grouped by department; thumbnails for cameras the user may
 * take stills of; names lead to the camera's page; cameras picked across pages open a wall or one access
 * request per owner department.
 */
export async function renderCameras(root, { query, signal }) {
  ensureStylesheet('/player/catalogue/catalogue.css');
  const thumbnails = new ThumbnailQueue(2);
  const state = {
    q: query.get('q') ?? '', departmentId: query.get('departmentId') ?? '', category: query.get('category') ?? '',
    status: query.get('status') ?? '', page: Math.max(1, Number(query.get('page')) || 1),
  };
  // An area from the map ("list this view"): all four corners or none.
  const CORNERS = ['minLat', 'minLon', 'maxLat', 'maxLon'];
  const box = CORNERS.every((k) => Number.isFinite(Number.parseFloat(query.get(k)))) ? Object.fromEntries(CORNERS.map((k) => [k, query.get(k)])) : null;
  if (box) Object.assign(state, box);
  const departments = await api('/api/v1/departments', { signal });
  const search = el('input', { type: 'search', value: state.q, placeholder: t('catalogue.searchPlaceholder'), 'data-testid': 'camera-search', 'aria-label': t('catalogue.search') });
  const department = select('filter-department', t('catalogue.department'), [['', t('catalogue.allDepartments')], ...departments.map((d) => [d.id, d.name])], state.departmentId);
  const category = select('filter-category', t('catalogue.category'), [['', t('catalogue.allCategories')], ...CATEGORIES.map((c) => [c, categoryName(c)])], state.category);
  const status = select('filter-status', t('catalogue.status'), [['', t('catalogue.allStatuses')], ...STATUSES.map((s) => [s, statusName(s)])], state.status);
  const summary = el('p', { class: 'muted', 'data-testid': 'catalogue-summary' });
  const list = el('div', { class: 'catalogue', 'data-testid': 'catalogue' });
  const pager = el('nav', { class: 'pager toolbar', 'data-testid': 'pager' });
  const wallLink = el('a', { class: 'button', href: '#/wall/4', 'data-testid': 'open-wall' }, t('catalogue.openWall', { count: 0 }));
  const requestLink = el('a', { class: 'button', href: '#/request-cameras', 'data-testid': 'request-selected' }, t('catalogue.requestSelected', { count: 0 }));
  const clearLink = el('button', { type: 'button', 'data-testid': 'clear-selection', onclick: () => { selection.clear(); refreshSelection(); for (const box of list.querySelectorAll('input[data-testid=pick]')) box.checked = false; } }, t('catalogue.clearSelection'));
  const selectionBar = el('div', { class: 'selection-bar toolbar', 'data-testid': 'selection-bar' }, wallLink, requestLink, clearLink);

  function refreshSelection() {
    const chosen = [...selection.values()];
    const watchable = chosen.filter((c) => c.access.live);
    const requestable = chosen.filter((c) => !c.access.live);
    const size = [1, 4, 9, 16].find((n) => n >= watchable.length) ?? 16;
    wallLink.textContent = t('catalogue.openWall', { count: watchable.length });
    wallLink.setAttribute('href', `#/wall/${size}?ids=${watchable.slice(0, 16).map((c) => encodeURIComponent(c.id)).join(',')}`);
    wallLink.classList.toggle('disabled', watchable.length === 0);
    requestLink.textContent = t('catalogue.requestSelected', { count: requestable.length });
    requestLink.setAttribute('href', `#/request-cameras?ids=${requestable.map((c) => encodeURIComponent(c.id)).join(',')}`);
    requestLink.classList.toggle('disabled', requestable.length === 0);
    selectionBar.dataset.selected = String(chosen.length);
  }

  // The address keeps the search, so back/forward and a shared link show the same page.
  const go = (changes) => {
    const next = { ...state, ...changes };
    const params = new URLSearchParams(Object.entries(next).filter(([k, v]) => v && !(k === 'page' && v === 1)));
    location.hash = `#/cameras${params.size ? `?${params}` : ''}`;
  };
  let typing;
  search.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(() => go({ q: search.value.trim(), page: 1 }), 350); });
  search.addEventListener('keydown', (event) => { if (event.key === 'Enter') { clearTimeout(typing); go({ q: search.value.trim(), page: 1 }); } });
  department.addEventListener('change', () => go({ departmentId: department.value, page: 1 }));
  category.addEventListener('change', () => go({ category: category.value, page: 1 }));
  status.addEventListener('change', () => go({ status: status.value, page: 1 }));

  root.append(
    el('div', { class: 'toolbar' }, el('h1', {}, t('catalogue.title')), el('a', { class: 'button', href: '#/map', 'data-testid': 'open-map' }, t('catalogue.showMap'))),
    el('div', { class: 'toolbar filters' }, search, department, category, status,
      box ? el('button', { type: 'button', class: 'chip', 'data-testid': 'clear-area', onclick: () => go(Object.fromEntries([...CORNERS.map((k) => [k, '']), ['page', 1]])) }, t('catalogue.inMapArea')) : null),
    summary, selectionBar, list, pager);
  refreshSelection();

  const params = new URLSearchParams({ offset: String((state.page - 1) * PAGE_SIZE), limit: String(PAGE_SIZE) });
  for (const key of ['q', 'departmentId', 'category', 'status', ...(box ? CORNERS : [])]) if (state[key]) params.set(key, state[key]);
  const result = await api(`/api/v1/cameras/search?${params}`, { signal });
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  summary.textContent = result.total === 0 ? '' : t('catalogue.summary', {
    total: formatNumber(result.total), from: formatNumber(result.offset + 1), to: formatNumber(result.offset + result.items.length),
  });
  if (result.total === 0) list.append(el('p', { 'data-testid': 'catalogue-empty' }, state.q || state.departmentId || state.category || state.status || box ? t('catalogue.noMatch') : t('catalogue.empty')));

  const byDepartment = new Map();
  for (const camera of result.items) byDepartment.set(camera.departmentName, [...(byDepartment.get(camera.departmentName) ?? []), camera]);
  for (const [name, cameras] of [...byDepartment.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    list.append(el('section', { class: 'department', 'data-testid': 'department' }, el('h2', {}, name || t('catalogue.unknownDepartment')),
      el('ul', { class: 'camera-cards' }, cameras.map((camera) => cameraCard(camera, thumbnails, refreshSelection)))));
  }
  if (pages > 1) {
    pager.append(
      el('button', { type: 'button', disabled: state.page <= 1 || undefined, 'data-testid': 'page-prev', onclick: () => go({ page: state.page - 1 }) }, t('catalogue.previous')),
      el('span', { 'data-testid': 'page-of' }, t('catalogue.pageOf', { page: formatNumber(state.page), pages: formatNumber(pages) })),
      el('button', { type: 'button', disabled: state.page >= pages || undefined, 'data-testid': 'page-next', onclick: () => go({ page: state.page + 1 }) }, t('catalogue.next')));
  }
  return () => { clearTimeout(typing); thumbnails.close(); };
}

function cameraCard(camera, thumbnails, onSelect) {
  const id = encodeURIComponent(camera.id);
  const thumb = el('img', { class: 'thumb', alt: '', 'data-testid': 'thumbnail' });
  if (camera.access.snapshot && camera.status === 'online') thumbnails.load(camera.id, thumb);
  else thumb.classList.add('none');
  const pick = el('input', {
    type: 'checkbox', 'data-testid': 'pick', checked: selection.has(camera.id) || undefined, 'aria-label': t('catalogue.pick', { name: camera.name }),
    onchange: (event) => { if (event.target.checked) selection.set(camera.id, camera); else selection.delete(camera.id); onSelect(); },
  });
  const actions = camera.access.live
    ? [el('a', { class: 'button', href: `#/live/${id}`, 'data-testid': 'watch' }, t('catalogue.watch'))]
    : [el('span', { class: 'badge denied' }, t('catalogue.noAccess')), el('a', { href: `#/request/${id}`, 'data-testid': 'request-access' }, t('catalogue.requestAccess'))];
  return el('li', { class: 'camera camera-card', 'data-camera-id': camera.id, 'data-testid': 'camera' },
    el('label', { class: 'pick' }, pick),
    el('a', { class: 'thumb-link', href: `#/camera/${id}`, tabindex: -1 }, thumb),
    el('div', { class: 'camera-text' },
      el('a', { class: 'name', href: `#/camera/${id}`, 'data-testid': 'camera-link' }, camera.name),
      el('div', { class: 'muted' }, categoryName(camera.category), camera.address ? ` · ${camera.address}` : ''),
      el('div', {}, el('span', { class: `badge status-${camera.status}`, 'data-testid': 'status', 'data-status': camera.status }, statusName(camera.status)),
        camera.ptz ? el('span', { class: 'badge' }, t('catalogue.ptz')) : null)),
    el('span', { class: 'actions' }, actions,
      camera.analyticsEnabled && camera.access.events ? el('a', { class: 'button', href: `#/crowd/${id}`, 'data-testid': 'crowd-link' }, t('catalogue.crowd')) : null));
}
